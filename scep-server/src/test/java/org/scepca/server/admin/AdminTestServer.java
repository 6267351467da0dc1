package org.scepca.server.admin;

import java.nio.file.Path;

import org.scepca.ca.config.CaConfig;
import org.scepca.ca.material.CaDirectory;
import org.scepca.ca.testing.TestPki;
import org.scepca.ca.tokens.AdminRole;
import org.scepca.server.app.Running;
import org.scepca.server.app.ServerConfig;
import org.scepca.server.cli.Providers;

/**
 * A real server on a fresh test CA in {@code dir} (SCEP and admin connectors on port 0), an admin and a viewer
 * token, and the audit lines it writes: what an admin API test starts from.
 */
final class AdminTestServer implements AutoCloseable {
    final Running running;
    final AdminHttp http;
    final String admin;
    final String viewer;
    final AuditCapture audit;

    AdminTestServer(Path dir) throws Exception {
        Providers.register();
        TestPki.create(dir).close();
        running = Running.start(new CaDirectory(dir), TestPki.PASSPHRASE, CaConfig.defaults(),
                ServerConfig.defaults("127.0.0.1", 0), AdminConfig.loopback(0));
        http = AdminHttp.plain(running.adminPort());
        admin = running.ca().tokens().create("alice", AdminRole.ADMIN).token();
        viewer = running.ca().tokens().create("victor", AdminRole.VIEWER).token();
        audit = new AuditCapture();
    }

    @Override
    public void close() {
        audit.close();
        running.close();
    }
}
