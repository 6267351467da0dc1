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
    PROFILE_SIGNING,
    /**
     * A client certificate for the mTLS admin connector: clientAuth plus the certificatePolicies OID
     * {@link #ADMIN_POLICY_OID} that only this profile carries. Issued only by {@code scepca admin cert issue}, never
     * through SCEP; the connector grants a role only to a stored certificate of this profile.
     */
    ADMIN_CLIENT,
    /**
     * A device identity whose key the CA generated and handed out in a PKCS#12 ({@code scepca p12 batch}, pilots
     * without an MDM): clientAuth like {@link #CLIENT}, marked apart because its key left the CA host with a password.
     */
    CLIENT_PKCS12;

    /**
     * The certificate policy that marks an admin client certificate: a UUID OID (ITU-T X.667, arc 2.25) minted for
     * this project, so it needs no registration and cannot clash. The CA sets it from the profile; CSR extensions are
     * never copied, so a device cannot ask for it.
     */
    public static final String ADMIN_POLICY_OID = "2.25.79753376220820380621846420850692106162"; // UUID 3bfff108-f5b6-4617-b79f-26b20f10a7b2
}
