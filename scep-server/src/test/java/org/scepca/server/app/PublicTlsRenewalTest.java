package org.scepca.server.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.Optional;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scepca.ca.config.CaConfig;
import org.scepca.ca.material.CaDirectory;
import org.scepca.ca.revocation.RevocationReason;
import org.scepca.ca.testing.TestPki;
import org.scepca.server.cli.Providers;

/**
 * The running public HTTPS connector serves the server's own certificate (trusted through our root), and a
 * replacement (here: the old one revoked) without a restart once the housekeeping beat has run.
 */
class PublicTlsRenewalTest {
    @TempDir
    Path dir;

    @Test
    void servesItsOwnCertificate_andARenewedOneWithoutRestart() throws Exception {
        Providers.register();
        TestPki.create(dir).close();
        Path config = new CaDirectory(dir).configFile();
        Files.writeString(config, "public-base-url=http://localhost:8080\n");
        ServerConfig server = ServerConfig.defaults("127.0.0.1", 0)
                .withTls(Optional.of(new ServerConfig.PublicTls(0, Optional.empty(), Optional.empty())));
        try (Running running = Running.start(new CaDirectory(dir), TestPki.PASSPHRASE, CaConfig.load(config), server)) {
            X509Certificate first = served(running);
            assertThat(first.getSubjectX500Principal().getName()).isEqualTo("CN=localhost");
            running.refreshPublicTls();
            assertThat(served(running).getSerialNumber()).as("nothing due: the same").isEqualTo(first.getSerialNumber());

            running.ca().revocation().revoke(first.getSerialNumber(), RevocationReason.KEY_COMPROMISE, "test");
            running.refreshPublicTls();
            BigInteger renewed = served(running).getSerialNumber();
            assertThat(renewed).isNotEqualTo(first.getSerialNumber());
        }
    }

    /** The certificate a TLS client trusting only our root sees on the public HTTPS port. */
    private static X509Certificate served(Running running) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("root", running.ca().material().root());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", running.tlsPort())) {
            s.startHandshake();
            return (X509Certificate) s.getSession().getPeerCertificates()[0];
        }
    }
}
