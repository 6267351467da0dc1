package org.scepca.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scepca.ca.CertificateAuthority;
import org.scepca.ca.testing.TestPki;
import org.scepca.ca.tokens.AdminRole;

/** {@code scepca admin token create|list|revoke} through the real command line. */
class AdminTokenCommandTest {
    @TempDir
    Path dir;
    private Path passphrase;

    private record Run(int code, String out, String err) {
    }

    private Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] full = new String[args.length + 4];
        System.arraycopy(args, 0, full, 0, args.length);
        full[args.length] = "--data";
        full[args.length + 1] = dir.toString();
        full[args.length + 2] = "--passphrase-file";
        full[args.length + 3] = passphrase.toString();
        int code = Main.run(full, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(code, out.toString(), err.toString());
    }

    @BeforeEach
    void ca() throws Exception {
        AuditOn.inThisJvm();
        TestPki.create(dir).close();
        passphrase = dir.resolve("pp");
        Files.writeString(passphrase, "test-passphrase-123");
    }

    @Test
    void create_printsTheTokenOnce_listNeverShowsIt_revokeByNameStopsIt() {
        Run created = run("admin", "token", "create", "--name", "mdm-sync", "--role", "viewer", "--quiet");
        assertThat(created.code()).as(created.err()).isZero();
        String token = created.out().strip();
        assertThat(token).startsWith("scepca_");
        try (CertificateAuthority ca = TestPki.create(dir)) {
            assertThat(ca.tokens().authenticate(token)).get().extracting(t -> t.role()).isEqualTo(AdminRole.VIEWER);
        }

        Run list = run("admin", "token", "list");
        assertThat(list.out()).contains("mdm-sync").contains("viewer").contains("active").doesNotContain(token);

        Run revoked = run("admin", "token", "revoke", "mdm-sync");
        assertThat(revoked.code()).isZero();
        assertThat(revoked.out()).startsWith("revoked token ");
        assertThat(run("admin", "token", "list").out()).contains("revoked ");
        try (CertificateAuthority ca = TestPki.create(dir)) {
            assertThat(ca.tokens().authenticate(token)).isEmpty();
        }
        assertThat(dir.resolve("logs/audit.log")).content().contains("op=admin-token-create").contains("name=mdm-sync")
                .contains("op=admin-token-revoke").doesNotContain(token);
    }

    @Test
    void create_defaultsToAdmin_andExplainsThatItIsShownOnce() {
        Run created = run("admin", "token", "create", "--name", "alice");
        assertThat(created.code()).isZero();
        assertThat(created.out()).contains("token: scepca_").contains("(admin)").contains("Shown once");
    }

    @Test
    void badInput_isOneLineError() {
        Run role = run("admin", "token", "create", "--name", "x", "--role", "root");
        assertThat(role.code()).isEqualTo(1);
        assertThat(role.err().strip()).isEqualTo("scepca: role must be admin, viewer or enroller, not 'root'").doesNotContain("\n");
        Run name = run("admin", "token", "create", "--name", "has space");
        assertThat(name.code()).isEqualTo(1);
        Run unknown = run("admin", "token", "revoke", "nobody");
        assertThat(unknown.code()).isEqualTo(1);
        assertThat(unknown.err()).contains("no active token");
    }
}
