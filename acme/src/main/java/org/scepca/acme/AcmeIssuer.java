package org.scepca.acme;

import java.math.BigInteger;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import org.scepca.ca.issuance.IssuanceEngine;
import org.scepca.ca.issuance.IssuanceRequest;
import org.scepca.ca.issuance.IssuedCertificate;
import org.scepca.ca.pem.Pem;
import org.scepca.ca.policy.IssuancePolicy;
import org.scepca.ca.revocation.RevocationReason;
import org.scepca.ca.revocation.RevocationService;
import org.scepca.ca.store.CertificateRecord;
import org.scepca.ca.store.CertificateStore;

/**
 * What ACME needs of ca-core: the endpoint's issuance engine (the one SCEP uses: policy checks, extensions by policy,
 * serials, durable storage), the revocation service (which publishes the CRL before it returns) and the store.
 *
 * @param engine     the endpoint's engine ({@code CertificateAuthority.engineFor(name)})
 * @param chain      the certificates a download appends after the leaf: the issuing CA (not the root)
 */
public record AcmeIssuer(IssuanceEngine engine, RevocationService revocation, CertificateStore store,
        List<X509Certificate> chain) {
    public AcmeIssuer {
        Objects.requireNonNull(engine, "engine is null");
        Objects.requireNonNull(revocation, "revocation is null");
        Objects.requireNonNull(store, "store is null");
        chain = List.copyOf(chain);
    }

    public IssuancePolicy policy() {
        return engine.policy();
    }

    public IssuedCertificate issue(IssuanceRequest request) {
        return engine.issue(request);
    }

    public Optional<CertificateRecord> find(BigInteger serial) {
        return store.find(serial);
    }

    public RevocationService.Outcome revoke(BigInteger serial, RevocationReason reason, String actor, String device) {
        return revocation.revoke(serial, reason, actor, device);
    }

    /** The certificate then its issuers, PEM (RFC 8555 section 9.1, application/pem-certificate-chain). */
    public byte[] pemChain(CertificateRecord leaf) {
        List<Object> all = new java.util.ArrayList<>();
        all.add(Pem.certificate(leaf.der()));
        all.addAll(chain);
        return Pem.encodeAll(all);
    }
}
