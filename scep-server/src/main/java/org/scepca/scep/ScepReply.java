package org.scepca.scep;

import java.util.Objects;

/** A reply body and its content type (RFC 8894 §4): what the HTTP edge writes verbatim. */
public record ScepReply(String contentType, byte[] body) {
    public static final String CA_CERT = "application/x-x509-ca-cert";
    public static final String CA_RA_CERT = "application/x-x509-ca-ra-cert";
    public static final String NEXT_CA_CERT = "application/x-x509-next-ca-cert";
    public static final String PKI_MESSAGE = "application/x-pki-message";
    public static final String TEXT = "text/plain; charset=US-ASCII";

    public ScepReply {
        Objects.requireNonNull(contentType, "contentType is null");
        Objects.requireNonNull(body, "body is null");
    }
}
