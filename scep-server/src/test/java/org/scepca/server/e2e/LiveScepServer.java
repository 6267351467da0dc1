package org.scepca.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Optional;

import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.jscep.transaction.FailInfo;
import org.jscep.transaction.PkiStatus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;
import org.scepca.ca.config.CaConfig;
import org.scepca.ca.material.CaDirectory;
import org.scepca.ca.testing.TestPki;
import org.scepca.ca.testing.TestStores;
import org.scepca.server.app.Running;
import org.scepca.server.app.ServerConfig;
import org.scepca.server.cli.Providers;
import org.scepca.server.e2e.ScepWire.Reply;
import org.scepca.server.e2e.ScepWire.Signer;

/**
 * A real server (Jetty on port 0, H2 file in a temporary data folder, or a PostgreSQL database for an {@code @OnPostgres}
 * subclass) per test class, and SCEP over the wire to it.
 */
abstract class LiveScepServer {
    @TempDir
    static Path dir;
    static Running server;
    static ScepWire wire;

    /** On H2, or on PostgreSQL for a subclass marked {@link org.scepca.ca.testing.OnPostgres}. */
    @BeforeAll
    static void start(TestInfo test) throws Exception {
        Providers.register();
        TestPki.create(dir).close();
        server = Running.start(new CaDirectory(dir), TestPki.PASSPHRASE,
                TestStores.configFor(test.getTestClass().orElseThrow(), CaConfig.defaults()),
                ServerConfig.defaults("127.0.0.1", 0));
        wire = new ScepWire(server);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static String challenge() {
        return server.ca().challenges().mint(Duration.ofMinutes(10), Optional.empty()).secret();
    }

    /** Enrolls {@code csr} under {@code txid}, signed by a throwaway certificate of the same key. */
    static X509Certificate enroll(String txid, PKCS10CertificationRequest csr, KeyPair keys) {
        Signer s = Signer.throwaway(keys);
        return wire.send(wire.pkcsReq(txid, csr, s), s).issued();
    }

    static void assertBadRequest(Reply r) {
        assertThat(r.status()).isEqualTo(PkiStatus.FAILURE);
        assertThat(r.failInfo()).contains(FailInfo.badRequest);
    }
}
