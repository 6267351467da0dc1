package org.scepca.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.scepca.ca.config.CaConfig;
import org.scepca.ca.material.CaDirectory;
import org.scepca.ca.testing.FreePorts;
import org.scepca.ca.testing.TestPki;
import org.scepca.server.app.Running;
import org.scepca.server.app.ServerConfig;
import org.scepca.server.cli.Providers;

/**
 * A real server with one ACME endpoint, {@code web}, offering http-01 for {@code localhost}, for the ACME client ITs
 * (certbot, lego): the client's own HTTP server answers the challenge on loopback at {@link #httpPort}, which
 * production endpoints refuse to reach ({@code acme-allow-private-targets}).
 */
record AcmeHttp01Server(Running server, String base, int httpPort) implements AutoCloseable {

    static AcmeHttp01Server start(Path tmp) throws Exception {
        int port = FreePorts.next();
        int httpPort = FreePorts.next();
        String base = "http://127.0.0.1:" + port;
        Path props = tmp.resolve("scepca.properties");
        Files.writeString(props, String.join("\n",
                "public-base-url=" + base,
                "endpoint.web.protocol=acme",
                "endpoint.web.acme-challenges=http-01",
                "endpoint.web.acme-allow-private-targets=true",
                "endpoint.web.acme-http-port=" + httpPort,
                "endpoint.web.san-dns-pattern=localhost",
                ""));
        CaConfig config = CaConfig.load(props);
        Providers.register();
        Path dir = tmp.resolve("data");
        TestPki.create(dir).close();
        Running server = Running.start(new CaDirectory(dir), TestPki.PASSPHRASE, config,
                ServerConfig.defaults("127.0.0.1", port));
        return new AcmeHttp01Server(server, base, httpPort);
    }

    String directory() {
        return base + "/acme/web/directory";
    }

    /** Skips without the client, unless {@code requireVariable=1} (CI), where a missing client fails. */
    static void requireClient(Path binary, String requireVariable) {
        if ("1".equals(System.getenv(requireVariable))) {
            assertThat(binary).as(requireVariable + "=1 but " + binary + " is not installed").isExecutable();
        }
        assumeTrue(Files.isExecutable(binary), binary + " not installed");
    }

    @Override
    public void close() {
        server.close();
    }
}
