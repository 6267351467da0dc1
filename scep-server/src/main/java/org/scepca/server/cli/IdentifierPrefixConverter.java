package org.scepca.server.cli;

import org.scepca.profiles.IdentifierPrefix;
import org.scepca.profiles.InvalidProfileOptionException;

import picocli.CommandLine;

/** {@code --identifier-prefix}: a reverse-DNS prefix, checked while the command line is parsed. */
final class IdentifierPrefixConverter implements CommandLine.ITypeConverter<IdentifierPrefix> {
    @Override
    public IdentifierPrefix convert(String value) {
        try {
            return new IdentifierPrefix(value.strip());
        } catch (InvalidProfileOptionException e) {
            throw new CommandLine.TypeConversionException(e.getMessage().replace("identifierPrefix", "must be")
                    .replaceFirst("^must be must be", "must be"));
        }
    }
}
