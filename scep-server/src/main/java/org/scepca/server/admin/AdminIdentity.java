package org.scepca.server.admin;

import java.util.Objects;

import org.scepca.ca.tokens.AdminRole;

/** Who is calling the admin API, and with which role; {@link #actor()} is what the audit log records. */
public record AdminIdentity(String name, AdminRole role, Source source) {
    /** TOKEN: bearer token (or an enroller token as a Basic password); BASIC: the configured Jamf webhook credential. */
    public enum Source { TOKEN, CLIENT_CERTIFICATE, BASIC }

    public AdminIdentity {
        Objects.requireNonNull(name, "name is null");
        Objects.requireNonNull(role, "role is null");
        Objects.requireNonNull(source, "source is null");
    }

    public String actor() {
        String prefix = switch (source) {
            case TOKEN -> "token:";
            case CLIENT_CERTIFICATE -> "mtls:";
            case BASIC -> "basic:";
        };
        return prefix + name.replace(' ', '_');
    }
}
