package org.scepca.server.e2e;

import java.math.BigInteger;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.cert.CertStore;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.jscep.client.Client;
import org.jscep.client.verification.OptimisticCertificateVerifier;
import org.jscep.transport.Transport;
import org.jscep.transport.TransportException;
import org.jscep.transport.TransportFactory;
import org.jscep.transport.UrlConnectionTransportFactory;
import org.jscep.transport.request.Operation;
import org.jscep.transport.response.ContentException;

/** jscep's real client, with knobs to behave like other clients (GET only, fewer capabilities). */
public final class ScepClients {
    private ScepClients() {
    }

    static Client client(String url) {
        return client(url, null, null);
    }

    /**
     * @param forcedMethod always use this HTTP method for PKIOperation (certmonger uses GET only); null: jscep decides
     * @param capabilities pretend the server advertised only these, separated by | (e.g. "DES3|SHA-1"), to make jscep pick them
     */
    static Client client(String url, TransportFactory.Method forcedMethod, String capabilities) {
        try {
            Client c = new Client(new URL(url), new OptimisticCertificateVerifier());
            UrlConnectionTransportFactory real = new UrlConnectionTransportFactory();
            c.setTransportFactory((method, u) -> {
                // Only PKIOperation may use POST; jscep asks for POST for everything once POSTPKIOperation is listed.
                Transport pki = real.forMethod(forcedMethod != null ? forcedMethod : method, u);
                Transport get = real.forMethod(TransportFactory.Method.GET, u);
                return new Transport() {
                    @Override
                    public <T> T sendRequest(org.jscep.transport.request.Request msg,
                            org.jscep.transport.response.ScepResponseHandler<T> handler) throws TransportException {
                        if (capabilities != null && msg.getOperation() == Operation.GET_CA_CAPS) {
                            try {
                                return handler.getResponse(capabilities.replace('|', '\n').getBytes(StandardCharsets.US_ASCII),
                                        "text/plain");
                            } catch (ContentException e) {
                                throw new TransportException(e);
                            }
                        }
                        return (msg.getOperation() == Operation.PKI_OPERATION ? pki : get).sendRequest(msg, handler);
                    }
                };
            });
            return c;
        } catch (java.net.MalformedURLException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** The throwaway self-signed certificate a device signs its PKCSReq with (RFC 8894 §2.3). */
    public static X509Certificate selfSigned(KeyPair keys, String dn) {
        return selfSigned(keys, new X500Name(dn));
    }

    static X509Certificate selfSigned(KeyPair keys, X500Name dn) {
        try {
            Instant now = Instant.now();
            var b = new JcaX509v3CertificateBuilder(dn, BigInteger.valueOf(now.toEpochMilli()),
                    Date.from(now.minus(1, ChronoUnit.HOURS)), Date.from(now.plus(1, ChronoUnit.DAYS)), dn,
                    keys.getPublic());
            return new JcaX509CertificateConverter().getCertificate(
                    b.build(new JcaContentSignerBuilder("SHA256withRSA").build(keys.getPrivate())));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static List<X509Certificate> certificates(CertStore store) {
        try {
            List<X509Certificate> out = new ArrayList<>();
            for (var c : store.getCertificates(null)) {
                out.add((X509Certificate) c);
            }
            return out;
        } catch (java.security.cert.CertStoreException e) {
            throw new IllegalStateException(e);
        }
    }
}
