package org.scepca.est;

import java.security.cert.X509Certificate;
import java.util.Objects;
import java.util.Optional;

/**
 * What the client presented (RFC 7030 §3.2.3, §3.3.2): an HTTP Basic password (a challenge of this endpoint; the
 * user name is free and not checked) and the TLS client certificate the handshake validated against this CA, if any.
 * {@code toString} hides the password.
 */
public record EstCredentials(Optional<String> password, Optional<X509Certificate> clientCertificate) {
    public static final EstCredentials NONE = new EstCredentials(Optional.empty(), Optional.empty());

    public EstCredentials {
        Objects.requireNonNull(password, "password is null");
        Objects.requireNonNull(clientCertificate, "clientCertificate is null");
    }

    public static EstCredentials password(String password) {
        return new EstCredentials(Optional.of(password), Optional.empty());
    }

    public static EstCredentials certificate(X509Certificate certificate) {
        return new EstCredentials(Optional.empty(), Optional.of(certificate));
    }

    @Override
    public String toString() {
        return "EstCredentials[password " + (password.isPresent() ? "given" : "none") + ", client certificate "
                + clientCertificate.map(c -> c.getSerialNumber().toString(16)).orElse("none") + "]";
    }
}
