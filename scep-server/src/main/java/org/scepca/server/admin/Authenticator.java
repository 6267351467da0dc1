package org.scepca.server.admin;

import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

import org.scepca.ca.pem.Pem;
import org.scepca.ca.policy.CertificateProfile;
import org.scepca.ca.store.CertificateStore;
import org.scepca.ca.store.CertificateStore.AdminCertificate;
import org.scepca.ca.tokens.TokenService;

import jakarta.servlet.http.HttpServletRequest;

/**
 * Resolves the caller: a bearer token (RFC 6750) if one is sent, else a TLS client certificate. The TLS handshake
 * has already chained the certificate to our root; here it must also be an admin client certificate: stored with the
 * ADMIN_CLIENT profile and a role by {@code scepca admin cert issue}, exactly this certificate (same DER), active, and
 * marked with the admin certificate policy. Its names play no part: a device may ask for any name, so a device
 * certificate never carries admin power, whatever it is called.
 */
final class Authenticator {
    static final String CLIENT_CERTS_ATTRIBUTE = "jakarta.servlet.request.X509Certificate";

    private final TokenService tokens;
    private final CertificateStore certificates;
    private final X509Certificate issuer;
    private final Clock clock;

    Authenticator(TokenService tokens, CertificateStore certificates, X509Certificate issuer, Clock clock) {
        this.tokens = Objects.requireNonNull(tokens, "tokens is null");
        this.certificates = Objects.requireNonNull(certificates, "certificates is null");
        this.issuer = Objects.requireNonNull(issuer, "issuer is null");
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
        Optional<AdminCertificate> admin = certificates.findAdmin(cert.getSerialNumber());
        if (admin.isEmpty() || admin.get().certificate().profile() != CertificateProfile.ADMIN_CLIENT
                || !hasAdminPolicy(cert)) {
            return new Refused("the client certificate is not an admin certificate"
                    + " (admin certificates come from 'scepca admin cert issue'; device certificates carry no role)");
        }
        var record = admin.get().certificate();
        if (!record.isActive(clock.instant()) || !record.sha256().equals(sha256(cert))) {
            return new Refused("the client certificate is revoked, expired or unknown");
        }
        return new Identified(new AdminIdentity(admin.get().name(), admin.get().role(),
                AdminIdentity.Source.CLIENT_CERTIFICATE));
    }

    /** The certificatePolicies mark only the ADMIN_CLIENT profile sets (a second check beside the store's profile). */
    private static boolean hasAdminPolicy(X509Certificate cert) {
        byte[] ext = cert.getExtensionValue(org.bouncycastle.asn1.x509.Extension.certificatePolicies.getId());
        if (ext == null) {
            return false;
        }
        try {
            var policies = org.bouncycastle.asn1.x509.CertificatePolicies.getInstance(
                    org.bouncycastle.asn1.ASN1OctetString.getInstance(ext).getOctets());
            return List.of(policies.getPolicyInformation()).stream()
                    .anyMatch(p -> p.getPolicyIdentifier().getId().equals(CertificateProfile.ADMIN_POLICY_OID));
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static String sha256(X509Certificate cert) {
        try {
            return Pem.sha256Hex(cert.getEncoded());
        } catch (CertificateEncodingException e) {
            return "";
        }
    }
}
