package org.scepca.scep.message;

import java.security.cert.X509Certificate;
import java.util.Objects;
import java.util.Optional;

/**
 * What a CertRep needs to match its request (RFC 8894 §3.3.2): the signer's digest, the content
 * cipher the request used, and the certificate to encrypt the reply to (the request's signer).
 *
 * @param digestAlgorithm digest for the reply's signature; the request's, or SHA-256 when the request's
 *                        digest was refused with badAlg
 * @param contentCipher   the request's content cipher; empty when the envelope could not be read or its
 *                        cipher was refused, in which case only FAILURE replies can be built
 * @param recipient       the request's signer certificate (RFC 8894 §3.3.2: the reply is encrypted to it)
 */
public record ReplyParameters(DigestAlgorithm digestAlgorithm, Optional<ContentCipher> contentCipher,
        X509Certificate recipient) {

    public ReplyParameters {
        Objects.requireNonNull(digestAlgorithm, "digestAlgorithm is null");
        Objects.requireNonNull(contentCipher, "contentCipher is null");
        Objects.requireNonNull(recipient, "recipient is null");
    }

    public ReplyParameters(DigestAlgorithm digestAlgorithm, ContentCipher contentCipher, X509Certificate recipient) {
        this(digestAlgorithm, Optional.of(Objects.requireNonNull(contentCipher, "contentCipher is null")), recipient);
    }
}
