package org.scepca.ca.policy;

/** What the certificate is for: the extended key usages the CA sets. Never derived from the CSR. */
public enum CertificateProfile {
    /** Device or user identity for mutual TLS: clientAuth only. */
    CLIENT,
    /** A TLS server (the mTLS front end): serverAuth, plus clientAuth when the policy allows both. */
    SERVER,
    /**
     * Signs configuration profiles (emailProtection): made by the profile service from the intermediate, never
     * through SCEP or the issuance engine, and stored so that it can be listed and revoked like any other.
     */
    PROFILE_SIGNING
}
