package org.scepca.server.admin;

import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

import org.scepca.ca.store.CertificateRecord;
import org.scepca.ca.store.CertificateStore;
import org.scepca.ca.tokens.TokenService;
import org.scepca.server.admin.AdminConfig.MtlsGrant;

import jakarta.servlet.http.HttpServletRequest;

/**
 * Resolves the caller: a bearer token (RFC 6750) if one is sent, else a TLS client certificate from this CA whose
 * subject or SAN is granted a role in the configuration. The TLS handshake has already chained the certificate to
 * our root; here it must also be one we issued and have not revoked.
 */
final class Authenticator {
    static final String CLIENT_CERTS_ATTRIBUTE = "jakarta.servlet.request.X509Certificate";

    private final TokenService tokens;
    private final CertificateStore certificates;
    private final X509Certificate issuer;
    private final List<MtlsGrant> grants;
    private final Clock clock;

    Authenticator(TokenService tokens, CertificateStore certificates, X509Certificate issuer, List<MtlsGrant> grants,
            Clock clock) {
        this.tokens = Objects.requireNonNull(tokens, "tokens is null");
        this.certificates = Objects.requireNonNull(certificates, "certificates is null");
        this.issuer = Objects.requireNonNull(issuer, "issuer is null");
        this.grants = List.copyOf(grants);
        this.clock = Objects.requireNonNull(clock, "clock is null");
    }

    sealed interface Result {
    }

    record Identified(AdminIdentity identity) implements Result {
    }

    /** Nothing presented. */
    record Anonymous() implements Result {
    }

    /** Something presented that does not identify anyone; {@code detail} is safe to show. */
    record Refused(String detail) implements Result {
    }

    Result authenticate(HttpServletRequest req) {
        String authorization = req.getHeader("Authorization");
        if (authorization != null) {
            return bearer(authorization);
        }
        if (req.getAttribute(CLIENT_CERTS_ATTRIBUTE) instanceof X509Certificate[] chain && chain.length > 0) {
            return clientCertificate(chain[0]);
        }
        return new Anonymous();
    }

    private Result bearer(String header) {
        int space = header.indexOf(' ');
        if (space < 0 || !header.substring(0, space).toLowerCase(Locale.ROOT).equals("bearer")) {
            return new Refused("use 'Authorization: Bearer <token>'");
        }
        return tokens.authenticate(header.substring(space + 1).strip())
                .<Result>map(t -> new Identified(new AdminIdentity(t.name(), t.role(), AdminIdentity.Source.TOKEN)))
                .orElseGet(() -> new Refused("the token is invalid or revoked"));
    }

    private Result clientCertificate(X509Certificate cert) {
        if (!cert.getIssuerX500Principal().equals(issuer.getSubjectX500Principal())) {
            return new Refused("the client certificate was not issued by this CA's issuing CA");
        }
        Optional<CertificateRecord> record = certificates.find(cert.getSerialNumber())
                .filter(r -> r.isActive(clock.instant()));
        if (record.isEmpty()) {
            return new Refused("the client certificate is revoked, expired or unknown");
        }
        List<String> sans = record.get().subjectAltNames();
        return grants.stream().filter(g -> g.matches(cert.getSubjectX500Principal(), sans)).findFirst()
                .<Result>map(g -> new Identified(new AdminIdentity(cert.getSubjectX500Principal().getName(), g.role(),
                        AdminIdentity.Source.CLIENT_CERTIFICATE)))
                .orElseGet(() -> new Refused("the client certificate is not granted admin access"
                        + " (admin.mtls-admins / admin.mtls-viewers)"));
    }
}
