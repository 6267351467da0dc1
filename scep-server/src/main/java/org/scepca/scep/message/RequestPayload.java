package org.scepca.scep.message;

/**
 * The decrypted messageData of a request (RFC 8894 §3.3): a CSR for PKCSReq and RenewalReq,
 * IssuerAndSubject for CertPoll, IssuerAndSerialNumber for GetCert and GetCRL.
 */
public sealed interface RequestPayload permits CsrPayload, IssuerAndSubjectPayload, IssuerAndSerialPayload {
}
