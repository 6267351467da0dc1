package org.scepca.acme;

import java.util.Objects;

/**
 * An ACME error (RFC 8555 section 6.7): thrown by the core, turned into an RFC 7807 problem document
 * ({@code application/problem+json}) by the HTTP adapter. The type is one of the registered
 * {@code urn:ietf:params:acme:error:} names.
 */
public final class AcmeProblem extends RuntimeException {
    /** The ACME error types the core uses (section 6.7). */
    public enum Type {
        MALFORMED("malformed", 400),
        BAD_NONCE("badNonce", 400),
        BAD_SIGNATURE_ALGORITHM("badSignatureAlgorithm", 400),
        BAD_PUBLIC_KEY("badPublicKey", 400),
        UNAUTHORIZED("unauthorized", 403),
        ACCOUNT_DOES_NOT_EXIST("accountDoesNotExist", 400),
        REJECTED_IDENTIFIER("rejectedIdentifier", 400),
        UNSUPPORTED_IDENTIFIER("unsupportedIdentifier", 400),
        BAD_CSR("badCSR", 400),
        ORDER_NOT_READY("orderNotReady", 403),
        ALREADY_REVOKED("alreadyRevoked", 400),
        BAD_REVOCATION_REASON("badRevocationReason", 400),
        CONNECTION("connection", 400),
        INCORRECT_RESPONSE("incorrectResponse", 403),
        DNS("dns", 400),
        UNSUPPORTED_CONTACT("unsupportedContact", 400),
        EXTERNAL_ACCOUNT_REQUIRED("externalAccountRequired", 400),
        /** draft-ietf-acme-device-attest: the attestation statement does not verify (device-attest-01). */
        BAD_ATTESTATION_STATEMENT("badAttestationStatement", 400),
        SERVER_INTERNAL("serverInternal", 500);

        private final String name;
        private final int status;

        Type(String name, int status) {
            this.name = name;
            this.status = status;
        }

        public String urn() {
            return "urn:ietf:params:acme:error:" + name;
        }

        public int status() {
            return status;
        }
    }

    private final Type type;
    private final int status;
    private final java.util.Map<String, String> headers;

    public AcmeProblem(Type type, String detail) {
        this(type, detail, type.status(), java.util.Map.of());
    }

    /**
     * A problem with another HTTP status than its type's (404 for an unknown resource, 409 for a key rollover to a
     * key another account holds: section 7.3.5) and headers (that account's Location).
     */
    public AcmeProblem(Type type, String detail, int status, java.util.Map<String, String> headers) {
        super(Objects.requireNonNull(detail, "detail is null"), null, false, false);
        this.type = Objects.requireNonNull(type, "type is null");
        this.status = status;
        this.headers = java.util.Map.copyOf(headers);
    }

    /** A resource that does not exist here (or is not the requester's to know about). */
    public static AcmeProblem notFound(String what) {
        return new AcmeProblem(Type.MALFORMED, "no such " + what, 404, java.util.Map.of());
    }

    public Type type() {
        return type;
    }

    public int status() {
        return status;
    }

    public java.util.Map<String, String> headers() {
        return headers;
    }

    public String detail() {
        return getMessage();
    }
}
