package org.scepca.server.admin;

import java.util.Objects;

import org.scepca.ca.tokens.AdminRole;

/** Who is calling the admin API, and with which role; {@link #actor()} is what the audit log records. */
public record AdminIdentity(String name, AdminRole role, Source source) {
    public enum Source { TOKEN, CLIENT_CERTIFICATE }

    public AdminIdentity {
        Objects.requireNonNull(name, "name is null");
        Objects.requireNonNull(role, "role is null");
        Objects.requireNonNull(source, "source is null");
    }

    public String actor() {
        return (source == Source.TOKEN ? "token:" : "mtls:") + name.replace(' ', '_');
    }
}
