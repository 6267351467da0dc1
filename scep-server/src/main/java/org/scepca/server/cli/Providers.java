package org.scepca.server.cli;

import java.security.Security;

import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * Registers the crypto providers once at start-up (never in a static block deep in a library). Bouncy Castle is
 * appended, not inserted first: the JDK's (or a faster) provider keeps doing RSA and AES; BC parses CMS and
 * certificates.
 */
public final class Providers {
    private Providers() {
    }

    public static synchronized void register() {
        if (Security.getProvider(BouncyCastleProvider.PROVIDER_NAME) == null) {
            Security.addProvider(new BouncyCastleProvider());
        }
    }
}
