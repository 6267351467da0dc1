package org.scepca.acme.attest;

import java.util.Objects;

/**
 * A refused device attestation, with the ACME error type the challenge (or finalize) must report. The constant names
 * are those of {@code org.scepca.acme.AcmeProblem.Type}, so the adapter maps one to the other by name once
 * {@code BAD_ATTESTATION_STATEMENT} is added there; the detail is for the client and carries no secret and no
 * attested value of a device other than the one the client named.
 */
public final class AttestationProblem extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public enum Type {
        /** draft-ietf-acme-device-attest: the attestation statement is malformed, untrusted, stale or not fresh. */
        BAD_ATTESTATION_STATEMENT("badAttestationStatement", 400),
        /** The attestation is valid but proves another device than the identifier names (RFC 8555 section 6.7). */
        UNAUTHORIZED("unauthorized", 403),
        /** The endpoint's policy does not let this device enroll (not on its allow-list). */
        REJECTED_IDENTIFIER("rejectedIdentifier", 400),
        /** At finalize: the CSR's public key is not the attested one. */
        BAD_CSR("badCSR", 400);

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

    public AttestationProblem(Type type, String detail) {
        super(Objects.requireNonNull(detail, "detail is null"));
        this.type = Objects.requireNonNull(type, "type is null");
    }

    static AttestationProblem badStatement(String detail) {
        return new AttestationProblem(Type.BAD_ATTESTATION_STATEMENT, detail);
    }

    public Type type() {
        return type;
    }

    public String detail() {
        return getMessage();
    }
}
