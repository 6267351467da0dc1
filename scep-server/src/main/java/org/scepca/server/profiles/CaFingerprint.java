package org.scepca.server.profiles;

import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.CMSSignedData;
import org.scepca.ca.pem.Pem;
import org.scepca.scep.ScepReply;

/**
 * Which certificate of a GetCACert reply an Apple device compares with the profile's {@code CAFingerprint}.
 *
 * <p>Apple's client ({@code SecSCEPValidateCACertMessage} in Apple's open-source Security framework) takes each
 * certificate of a CA/RA reply as a candidate leaf, builds a chain from it with the other certificates, and
 * compares the fingerprint with the <em>last</em> certificate of the first chain longer than one; every other chain
 * must end in that same certificate. So with our reply (RA, issuing CA, root) the device checks the <b>root</b>;
 * with {@code scep.getcacert-include-root=false} the chain from the reply alone ends at the <b>issuing CA</b>. A
 * single-certificate reply ({@code application/x-x509-ca-cert}) is checked as it is. This class repeats that
 * selection on the reply our server actually sends, so the profile and GetCACert cannot disagree.
 *
 * <p>One caveat: Apple's chain builder may also use anchors the device already trusts. With the root left out of
 * GetCACert it could still finish the chain at our root (installed by the same profile) and then expect the root's
 * fingerprint; keep the root in GetCACert for Apple devices (the default).
 */
public final class CaFingerprint {
    private CaFingerprint() {
    }

    /**
     * The certificate an Apple device matches {@code CAFingerprint} against.
     *
     * @throws IllegalArgumentException when the certificates are empty or do not form one chain
     */
    public static X509Certificate certificate(List<X509Certificate> getCaCert) {
        Objects.requireNonNull(getCaCert, "getCaCert is null");
        if (getCaCert.isEmpty()) {
            throw new IllegalArgumentException("GetCACert returned no certificate");
        }
        if (getCaCert.size() == 1) {
            return getCaCert.get(0);
        }
        X509Certificate end = null;
        for (X509Certificate leaf : getCaCert) {
            List<X509Certificate> chain = chain(leaf, getCaCert);
            if (chain.size() < 2) {
                continue;
            }
            X509Certificate last = chain.get(chain.size() - 1);
            if (end == null) {
                end = last;
            } else if (!end.equals(last)) {
                throw new IllegalArgumentException("GetCACert certificates do not form one chain");
            }
        }
        if (end == null) {
            throw new IllegalArgumentException("GetCACert certificates do not chain to one another");
        }
        return end;
    }

    /** The certificates in a GetCACert reply: one DER certificate, or the degenerate PKCS#7 of RA and CA certificates. */
    public static List<X509Certificate> certificatesOf(ScepReply reply) {
        Objects.requireNonNull(reply, "reply is null");
        if (reply.contentType().equals(ScepReply.CA_CERT)) {
            return List.of(Pem.certificate(reply.body()));
        }
        try {
            JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
            List<X509Certificate> out = new ArrayList<>();
            for (X509CertificateHolder holder : new CMSSignedData(reply.body()).getCertificates().getMatches(null)) {
                out.add(converter.getCertificate(holder));
            }
            return List.copyOf(out);
        } catch (CMSException | CertificateException e) {
            throw new IllegalStateException("our own GetCACert reply cannot be parsed", e);
        }
    }

    /** Leaf first, then issuers found among {@code pool}, up to a self-signed certificate or one without an issuer there. */
    private static List<X509Certificate> chain(X509Certificate leaf, List<X509Certificate> pool) {
        List<X509Certificate> chain = new ArrayList<>(List.of(leaf));
        X509Certificate current = leaf;
        while (chain.size() <= pool.size() && !selfSigned(current)) {
            X509Certificate issuer = null;
            for (X509Certificate candidate : pool) {
                if (!chain.contains(candidate) && issued(candidate, current)) {
                    issuer = candidate;
                    break;
                }
            }
            if (issuer == null) {
                break;
            }
            chain.add(issuer);
            current = issuer;
        }
        return chain;
    }

    private static boolean selfSigned(X509Certificate c) {
        return issued(c, c);
    }

    private static boolean issued(X509Certificate issuer, X509Certificate subject) {
        if (!issuer.getSubjectX500Principal().equals(subject.getIssuerX500Principal())) {
            return false;
        }
        try {
            subject.verify(issuer.getPublicKey());
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}
