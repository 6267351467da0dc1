package org.scepca.server.admin;

import java.nio.charset.StandardCharsets;
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
import org.scepca.ca.tokens.AdminRole;
import org.scepca.ca.tokens.TokenService;
import org.scepca.jamf.JamfWebhookCredential;

import jakarta.servlet.http.HttpServletRequest;

/**
 * Resolves the caller: a bearer token (RFC 6750) if one is sent, else a TLS client certificate. On a route that allows
 * it (only Jamf Pro's SCEPChallenge webhook), HTTP Basic credentials too (RFC 7617): the configured
 * {@code jamf.webhook-username} and password, or any username with an enroller token as the password; either can only
 * mint challenges. Basic credentials anywhere else are refused, whatever they are. The TLS handshake
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
    private final Optional<JamfWebhookCredential> jamfWebhook;

    Authenticator(TokenService tokens, CertificateStore certificates, X509Certificate issuer, Clock clock) {
        this(tokens, certificates, issuer, clock, Optional.empty());
    }

    /** @param jamfWebhook the Basic credential configured for Jamf's webhook, if any */
    Authenticator(TokenService tokens, CertificateStore certificates, X509Certificate issuer, Clock clock,
            Optional<JamfWebhookCredential> jamfWebhook) {
        this.tokens = Objects.requireNonNull(tokens, "tokens is null");
        this.certificates = Objects.requireNonNull(certificates, "certificates is null");
        this.issuer = Objects.requireNonNull(issuer, "issuer is null");
        this.clock = Objects.requireNonNull(clock, "clock is null");
        this.jamfWebhook = Objects.requireNonNull(jamfWebhook, "jamfWebhook is null");
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
        return authenticate(req, false);
    }

    /** @param basicAllowed whether the route accepts HTTP Basic credentials ({@link Route#basicAuth}) */
    Result authenticate(HttpServletRequest req, boolean basicAllowed) {
        String authorization = req.getHeader("Authorization");
        if (authorization != null) {
            if (isBasic(authorization)) {
                return basicAllowed ? basic(authorization.substring(BASIC.length()).strip())
                        : new Refused("HTTP Basic credentials are accepted only by POST /api/v1/jamf/scep-challenge;"
                                + " use 'Authorization: Bearer <token>'");
            }
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

    private static final String BASIC = "basic ";
    /** Far more than a username and a password or token need; a bigger header is refused before decoding. */
    private static final int MAX_BASIC_CREDENTIALS = 2048;

    static boolean isBasic(String authorization) {
        return authorization != null && authorization.regionMatches(true, 0, BASIC, 0, BASIC.length());
    }

    /**
     * RFC 7617: base64 of "user-id:password" in UTF-8 (§2.1), the user-id ending at the first colon. The configured
     * pair is checked first (both parts in constant time), then the password as an enroller token.
     */
    private Result basic(String encoded) {
        String pair;
        try {
            if (encoded.length() > MAX_BASIC_CREDENTIALS) {
                throw new IllegalArgumentException("too long");
            }
            pair = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(java.util.Base64.getDecoder().decode(encoded))).toString();
        } catch (IllegalArgumentException | java.nio.charset.CharacterCodingException e) {
            return new Refused("malformed Basic credentials (RFC 7617: base64 of username:password)");
        }
        int colon = pair.indexOf(':');
        if (colon < 0) {
            return new Refused("malformed Basic credentials (RFC 7617: base64 of username:password)");
        }
        String user = pair.substring(0, colon);
        String password = pair.substring(colon + 1);
        if (jamfWebhook.isPresent() && jamfWebhook.get().matches(user, password)) {
            return new Identified(new AdminIdentity(jamfWebhook.get().username(), AdminRole.ENROLLER,
                    AdminIdentity.Source.BASIC));
        }
        if (password.startsWith(TokenService.PREFIX)) {
            var token = tokens.authenticate(password);
            if (token.isPresent() && token.get().role() == AdminRole.ENROLLER) {
                return new Identified(new AdminIdentity(token.get().name(), AdminRole.ENROLLER,
                        AdminIdentity.Source.TOKEN));
            }
            if (token.isPresent()) {
                // An admin or viewer token in Jamf's settings would hand its power to everyone who can read them.
                return new Refused("as a Basic password only an enroller token is accepted"
                        + " ('scepca admin token create --role enroller')");
            }
        }
        return new Refused("wrong username or password");
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
