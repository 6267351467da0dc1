package org.scepca.est;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Objects;

/** What an enrollment came to; the HTTP edge maps each kind to its status once (RFC 7030 §4.2.3). */
public sealed interface EstReply {
    /** 200: the certificate, and the certs-only PKCS#7 (DER) that carries it. */
    record Issued(X509Certificate certificate, byte[] pkcs7) implements EstReply {
        public Issued {
            Objects.requireNonNull(certificate, "certificate is null");
            pkcs7 = pkcs7.clone();
        }

        @Override
        public byte[] pkcs7() {
            return pkcs7.clone();
        }
    }

    /** 202 + Retry-After: waiting for an operator; the client sends the same request again later. */
    record Pending(Duration retryAfter) implements EstReply {
        public Pending {
            Objects.requireNonNull(retryAfter, "retryAfter is null");
        }
    }

    /** A refusal: {@code reason} is safe to show the client (it names the request, never internals). */
    record Refused(Kind kind, String reason) implements EstReply {
        public Refused {
            Objects.requireNonNull(kind, "kind is null");
            Objects.requireNonNull(reason, "reason is null");
        }
    }

    enum Kind {
        /** 400: the CSR is malformed or the policy refuses it (key, names, signature). */
        BAD_REQUEST,
        /** 401: no credentials, or a wrong, expired or used challenge. */
        UNAUTHORIZED,
        /** 403: authenticated, but not allowed this (a certificate that cannot renew here, a rejected request). */
        FORBIDDEN,
        /** 503: the store cannot be reached; the same request may be sent again. */
        UNAVAILABLE,
        /** 500: an internal fault (logged; the client learns nothing more). */
        INTERNAL
    }
}
