package org.scepca.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scepca.acme.attest.DeviceAllowList;
import org.scepca.ca.CertificateAuthority;
import org.scepca.ca.testing.TestPki;

/** {@code scepca acme devices add|remove|list} through the real command line on a real H2 store. */
class AcmeDevicesCommandTest {
    @TempDir
    Path dir;
    private Path passphrase;

    @BeforeEach
    void ca() throws Exception {
        AuditOn.inThisJvm();
        TestPki.create(dir).close();
        passphrase = dir.resolve("pp");
        Files.writeString(passphrase, "test-passphrase-123");
    }

    private CliRun run(String... args) {
        return CliRun.scepca(dir, passphrase, args);
    }

    @Test
    void addListRemove_durableAndAudited() {
        CliRun added = run("acme", "devices", "add", "--endpoint", "default", "c02xl0ghjgh5",
                "00008030-001A2D3E0C38802E");
        assertThat(added.exit()).as(added.err()).isZero();
        assertThat(added.out()).contains("added C02XL0GHJGH5").contains("added 00008030-001A2D3E0C38802E");
        try (CertificateAuthority ca = TestPki.create(dir)) {
            assertThat(new DeviceAllowList(ca.database(), ca.clock()).contains("default", "C02XL0GHJGH5")).isTrue();
        }
        assertThat(run("acme", "devices", "add", "--endpoint", "default", "C02XL0GHJGH5").out())
                .contains("1 already listed");

        CliRun list = run("acme", "devices", "list", "--endpoint", "default");
        assertThat(list.exit()).isZero();
        assertThat(list.out()).contains("C02XL0GHJGH5").contains("00008030-001A2D3E0C38802E").contains("cli:");
        assertThat(run("acme", "devices", "list", "--endpoint", "default", "--json").out())
                .contains("\"device\" : \"C02XL0GHJGH5\"").contains("\"addedBy\"");

        CliRun removed = run("acme", "devices", "remove", "--endpoint", "default", "C02XL0GHJGH5", "NOTLISTED1");
        assertThat(removed.exit()).isZero();
        assertThat(removed.out()).contains("removed C02XL0GHJGH5").contains("1 not listed");
        assertThat(run("acme", "devices", "list", "--endpoint", "default").out()).doesNotContain("C02XL0GHJGH5");

        assertThat(dir.resolve("logs/audit.log")).content()
                .contains("op=acme-device-add").contains("device=C02XL0GHJGH5").contains("acme_endpoint=default")
                .contains("op=acme-device-remove");
    }

    @Test
    void refusals_changeNothing() {
        CliRun bad = run("acme", "devices", "add", "--endpoint", "default", "C02XL0GHJGH5", "bad value");
        assertThat(bad.exit()).isNotZero();
        assertThat(bad.err()).contains("not a serial number or UDID").contains("\"bad value\"");
        CliRun unknown = run("acme", "devices", "add", "--endpoint", "nope", "C02XL0GHJGH5");
        assertThat(unknown.exit()).isNotZero();
        assertThat(unknown.err()).contains("no endpoint 'nope'");
        assertThat(run("acme", "devices", "add", "--endpoint", "Bad!", "C02XL0GHJGH5").err())
                .contains("not an endpoint name");
        assertThat(run("acme", "devices", "list", "--endpoint", "default").out()).doesNotContain("C02XL0GHJGH5");
    }
}
