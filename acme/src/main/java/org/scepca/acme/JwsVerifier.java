package org.scepca.acme;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;

import org.scepca.acme.AcmeProblem.Type;

/**
 * Checks an ACME request body (RFC 8555 section 6.2): a flattened JWS JSON serialization whose protected header
 * carries {@code alg} (RS256, ES256 or ES384 only: never {@code none} nor an HMAC, section 6.2), exactly one of
 * {@code jwk} (newAccount, revocation by certificate key) and {@code kid} (an account URL), a {@code url} equal to the
 * URL the request was sent to (section 6.4), and a {@code nonce} we issued and that was not used before (section
 * 6.5). Parsing and signature checks are Nimbus JOSE+JWT's; the order of checks follows section 6.2's list, so that a
 * replayed request is refused with {@code badNonce} only after its signature is known to be good.
 */
public final class JwsVerifier {
    /** The algorithms we accept, named in every badSignatureAlgorithm answer (section 6.2). */
    public static final Set<String> ALGORITHMS = Set.of("RS256", "ES256", "ES384");
    private static final int MIN_RSA_BITS = 2048;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Finds the key of an account by its URL ({@code kid}); empty if there is no such account. */
    @FunctionalInterface
    public interface AccountKeys {
        Optional<AccountKey> keyOf(String accountUrl);
    }

    /** @param active false once the account is deactivated (section 7.3.6: its requests are unauthorized) */
    public record AccountKey(JWK key, boolean active) {
        public AccountKey {
            Objects.requireNonNull(key, "key is null");
        }
    }

    /** Which key the request must be signed with. */
    public enum KeyForm { JWK, KID, EITHER }

    /**
     * A request whose signature, url and nonce were checked.
     *
     * @param key        the key that signed it
     * @param accountUrl the {@code kid} (empty when signed with an embedded {@code jwk})
     * @param payload    the payload bytes; empty for POST-as-GET (section 6.3)
     */
    public record Verified(JWSHeader header, JWK key, Optional<String> accountUrl, byte[] payload) {
        public Verified {
            Objects.requireNonNull(header, "header is null");
            Objects.requireNonNull(key, "key is null");
            Objects.requireNonNull(accountUrl, "accountUrl is null");
            Objects.requireNonNull(payload, "payload is null");
        }

        public boolean postAsGet() {
            return payload.length == 0;
        }
    }

    private final NonceStore nonces;
    private final AccountKeys accounts;

    public JwsVerifier(NonceStore nonces, AccountKeys accounts) {
        this.nonces = Objects.requireNonNull(nonces, "nonces is null");
        this.accounts = Objects.requireNonNull(accounts, "accounts is null");
    }

    /**
     * @param body       the request body (bounded by the adapter)
     * @param requestUrl the absolute URL the request was sent to
     * @param form       which key form this resource wants (newAccount: jwk; most others: kid)
     * @throws AcmeProblem malformed, badSignatureAlgorithm, badPublicKey, unauthorized, accountDoesNotExist, badNonce
     */
    public Verified verify(byte[] body, String requestUrl, KeyForm form) {
        Parsed parsed = parse(body);
        String alg = parsed.alg();
        JWSObject jws = parsed.jws();
        JWSHeader header = jws.getHeader();
        boolean hasJwk = header.getJWK() != null;
        boolean hasKid = header.getKeyID() != null;
        if (hasJwk == hasKid) {
            throw new AcmeProblem(Type.MALFORMED, "the protected header must carry exactly one of jwk and kid");
        }
        if (form == KeyForm.JWK && !hasJwk) {
            throw new AcmeProblem(Type.MALFORMED, "this request must be signed with the jwk in its header");
        }
        if (form == KeyForm.KID && !hasKid) {
            throw new AcmeProblem(Type.MALFORMED, "this request must be signed by an account (kid)");
        }
        if (!(header.getCustomParam("url") instanceof String url)) {
            throw new AcmeProblem(Type.MALFORMED, "the protected header has no url");
        }
        if (!url.equals(requestUrl)) {
            // Section 6.4: the url binds the signature to the resource; a signed request replayed elsewhere is refused.
            throw new AcmeProblem(Type.UNAUTHORIZED, "the url in the protected header is not the request URL");
        }
        if (!(header.getCustomParam("nonce") instanceof String nonce)) {
            throw new AcmeProblem(Type.BAD_NONCE, "the protected header has no nonce");
        }
        JWK key;
        boolean active = true;
        if (hasJwk) {
            key = header.getJWK();
            if (key.isPrivate()) {
                throw new AcmeProblem(Type.MALFORMED, "the jwk must be a public key");
            }
        } else {
            AccountKey account = accounts.keyOf(header.getKeyID()).orElseThrow(() -> new AcmeProblem(
                    Type.ACCOUNT_DOES_NOT_EXIST, "no account at " + header.getKeyID()));
            key = account.key();
            active = account.active();
        }
        if (!signatureValid(jws, alg, key)) {
            throw new AcmeProblem(Type.MALFORMED, "the JWS signature does not verify with the account key");
        }
        if (!active) {
            // Section 7.3.6: a deactivated account's requests are refused with unauthorized, whatever they ask.
            throw new AcmeProblem(Type.UNAUTHORIZED, "the account is deactivated");
        }
        if (!nonces.consume(nonce)) {
            throw new AcmeProblem(Type.BAD_NONCE, "the nonce is unknown, expired or already used");
        }
        return new Verified(header, key, hasKid ? Optional.of(header.getKeyID()) : Optional.empty(),
                jws.getPayload().toBytes());
    }

    /**
     * The inner JWS of a key rollover (section 7.3.5): signed by the new key, carried in its own {@code jwk}, with
     * the outer request's {@code url} and no {@code nonce} (the outer JWS is the one that is replay-protected).
     *
     * @return the new key and the inner payload
     * @throws AcmeProblem malformed, badSignatureAlgorithm, badPublicKey
     */
    public Verified verifyInner(byte[] body, String requestUrl) {
        Parsed parsed = parse(body);
        JWSHeader header = parsed.jws().getHeader();
        if (header.getJWK() == null || header.getKeyID() != null) {
            throw new AcmeProblem(Type.MALFORMED, "the inner JWS must carry the new key as jwk, and no kid");
        }
        if (header.getCustomParam("nonce") != null) {
            throw new AcmeProblem(Type.MALFORMED, "the inner JWS must not carry a nonce");
        }
        if (!requestUrl.equals(header.getCustomParam("url"))) {
            throw new AcmeProblem(Type.MALFORMED, "the inner JWS's url must be the outer request's url");
        }
        JWK key = header.getJWK();
        if (key.isPrivate()) {
            throw new AcmeProblem(Type.MALFORMED, "the jwk must be a public key");
        }
        if (!signatureValid(parsed.jws(), parsed.alg(), key)) {
            throw new AcmeProblem(Type.MALFORMED, "the inner JWS signature does not verify with its jwk");
        }
        return new Verified(header, key, Optional.empty(), parsed.jws().getPayload().toBytes());
    }

    private record Parsed(String alg, JWSObject jws) {
    }

    /** Flattened JSON only, the algorithm checked on the raw header before Nimbus parses it. */
    private static Parsed parse(byte[] body) {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (IOException e) {
            throw new AcmeProblem(Type.MALFORMED, "the body is not JSON");
        }
        if (root == null || !root.isObject() || !text(root, "protected") || !text(root, "payload")
                || !text(root, "signature") || root.size() != 3) {
            // Section 6.2: flattened JSON serialization only, no unprotected header, no multiple signatures.
            throw new AcmeProblem(Type.MALFORMED, "the body must be a flattened JWS (protected, payload, signature)");
        }
        Base64URL protectedPart = new Base64URL(root.get("protected").asText());
        // The algorithm is checked on the raw header first: Nimbus refuses to parse "none" as a JWS header at all, and
        // the client must hear which algorithms we accept.
        JsonNode rawHeader;
        try {
            rawHeader = JSON.readTree(protectedPart.decode());
        } catch (IOException | RuntimeException e) {
            throw new AcmeProblem(Type.MALFORMED, "the protected header is not base64url JSON");
        }
        if (rawHeader == null || !rawHeader.isObject() || !rawHeader.path("alg").isTextual()) {
            throw new AcmeProblem(Type.MALFORMED, "the protected header has no alg");
        }
        String alg = rawHeader.get("alg").asText();
        if (!ALGORITHMS.contains(alg)) {
            throw new AcmeProblem(Type.BAD_SIGNATURE_ALGORITHM,
                    "alg " + alg + " is not accepted; use one of " + String.join(", ", ALGORITHMS.stream().sorted().toList()));
        }
        try {
            return new Parsed(alg, new JWSObject(protectedPart, new Base64URL(root.get("payload").asText()),
                    new Base64URL(root.get("signature").asText())));
        } catch (ParseException e) {
            throw new AcmeProblem(Type.MALFORMED, "the protected header is not a JWS header");
        }
    }

    private static boolean signatureValid(JWSObject jws, String alg, JWK key) {
        try {
            if (alg.equals(JWSAlgorithm.RS256.getName())) {
                if (!(key instanceof RSAKey rsa)) {
                    throw new AcmeProblem(Type.BAD_PUBLIC_KEY, "RS256 needs an RSA key");
                }
                if (rsa.size() < MIN_RSA_BITS) {
                    throw new AcmeProblem(Type.BAD_PUBLIC_KEY, "RSA keys must have at least " + MIN_RSA_BITS + " bits");
                }
                return jws.verify(new RSASSAVerifier(rsa));
            }
            if (!(key instanceof ECKey ec)) {
                throw new AcmeProblem(Type.BAD_PUBLIC_KEY, alg + " needs an EC key");
            }
            // ECDSAVerifier accepts only the algorithm of the key's curve: ES256 with P-256, ES384 with P-384.
            return jws.verify(new ECDSAVerifier(ec));
        } catch (JOSEException e) {
            throw new AcmeProblem(Type.BAD_PUBLIC_KEY, "the key cannot verify " + alg);
        }
    }

    private static boolean text(JsonNode root, String field) {
        return root.path(field).isTextual();
    }

    /** The RFC 7638 thumbprint (SHA-256, base64url) of a key: account lookup and http-01 key authorizations. */
    public static String thumbprint(JWK key) {
        try {
            return key.toPublicJWK().computeThumbprint("SHA-256").toString();
        } catch (JOSEException e) {
            throw new AcmeProblem(Type.BAD_PUBLIC_KEY, "cannot compute the key's thumbprint");
        }
    }

    /** http-01 key authorization (section 8.1): token "." base64url(thumbprint). */
    public static String keyAuthorization(String token, JWK accountKey) {
        return token + "." + thumbprint(accountKey);
    }

    static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
