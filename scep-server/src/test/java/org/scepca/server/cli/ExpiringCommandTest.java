package org.scepca.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.scepca.server.cli.CliTest.run;
import static org.scepca.server.cli.CliTest.withPassphrase;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scepca.ca.CertificateAuthority;
import org.scepca.ca.issuance.IssuanceRequest;
import org.scepca.ca.policy.CertificateProfile;
import org.scepca.ca.policy.NameRule;
import org.scepca.ca.revocation.RevocationReason;
import org.scepca.ca.store.CertificateRecord;
import org.scepca.ca.store.IssuanceEffects;
import org.scepca.ca.store.IssuedFor;
import org.scepca.ca.testing.Csrs;
import org.scepca.ca.testing.TestPki;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** {@code scepca cert expiring} and {@code scepca notify run} on a real data folder (H2 file). */
class ExpiringCommandTest {
    @TempDir
    static Path dir;
    static CertificateRecord in3;
    static CertificateRecord in20;
    static CertificateRecord in60;
    static CertificateRecord revoked;
    static CertificateRecord jamf;

    @BeforeAll
    static void issue() {
        Providers.register();
        try (CertificateAuthority ca = TestPki.create(dir)) {
            in20 = issue(ca, "in20", Duration.ofDays(20), "default", Optional.empty());
            in3 = issue(ca, "in3", Duration.ofDays(3), "default", Optional.empty());
            in60 = issue(ca, "in60", Duration.ofDays(60), "default", Optional.empty());
            revoked = issue(ca, "revoked", Duration.ofDays(5), "default", Optional.empty());
            ca.revocation().revoke(revoked.serial(), RevocationReason.SUPERSEDED, "test");
            jamf = issue(ca, "jamf-phone", Duration.ofDays(10), "default", Optional.of("F2LXK0AAAAA1"));
        }
    }

    static CertificateRecord issue(CertificateAuthority ca, String cn, Duration validity, String endpoint,
            Optional<String> device) {
        IssuedFor f = new IssuedFor(Optional.of(endpoint), Optional.empty(), Optional.empty(), device, Optional.empty(),
                Optional.empty());
        return ca.issuance().withPolicy(ca.config().policy().withValidity(validity)).issue(new IssuanceRequest(
                Csrs.csr().subject("CN=" + cn).build(), "test", CertificateProfile.CLIENT, IssuanceEffects.none(),
                NameRule.any(), f)).record();
    }

    @Test
    void listsActiveCertificatesWithinTheWindow_soonestFirst() throws Exception {
        CliTest.Result r = run(withPassphrase(dir, "cert", "expiring", "--within", "30d"));
        assertThat(r.code()).as(r.err()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines.get(0)).startsWith("SERIAL").contains("NOT AFTER", "DAYS", "ENDPOINT", "DEVICE", "SUBJECT");
        assertThat(lines).hasSize(4);
        assertThat(lines.get(1)).startsWith(in3.serialHex()).contains("CN=in3").contains("default").matches(".*\\s[23]\\s.*");
        assertThat(lines.get(2)).startsWith(jamf.serialHex()).contains("F2LXK0AAAAA1");
        assertThat(lines.get(3)).startsWith(in20.serialHex());
        assertThat(r.out()).doesNotContain(in60.serialHex()).doesNotContain(revoked.serialHex());

        CliTest.Result narrow = run(withPassphrase(dir, "cert", "expiring", "--within", "72h"));
        assertThat(narrow.out().lines().skip(1).toList()).singleElement().asString().startsWith(in3.serialHex());
        CliTest.Result none = run(withPassphrase(dir, "cert", "expiring", "--within", "12h"));
        assertThat(none.code()).isZero();
        assertThat(none.out()).contains("(no active certificate expires within 12h)");
        CliTest.Result limited = run(withPassphrase(dir, "cert", "expiring", "--within", "90d", "--limit", "2"));
        assertThat(limited.out()).contains("(more: raise --limit)");
    }

    @Test
    void json_andTheEndpointFilter() throws Exception {
        CliTest.Result r = run(withPassphrase(dir, "cert", "expiring", "--within", "90d", "--json"));
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode doc = new ObjectMapper().readTree(r.out());
        assertThat(doc.get("within").asText()).isEqualTo("PT2160H");
        assertThat(doc.get("truncated").asBoolean()).isFalse();
        JsonNode list = doc.get("certificates");
        assertThat(list).hasSize(4);
        assertThat(list.get(0).get("serial").asText()).isEqualTo(in3.serialHex());
        assertThat(list.get(0).get("status").asText()).isEqualTo("active");
        assertThat(list.get(0).get("notAfter").asText()).isEqualTo(in3.notAfter().toString());
        assertThat(list.get(0).get("endpoint").asText()).isEqualTo("default");
        assertThat(list.get(1).get("device").get("serialNumber").asText()).isEqualTo("F2LXK0AAAAA1");
        assertThat(list.get(3).get("serial").asText()).isEqualTo(in60.serialHex());
        assertThat(list.get(3).get("daysLeft").asInt()).isBetween(59, 60);

        CliTest.Result unknown = run(withPassphrase(dir, "cert", "expiring", "--endpoint", "nope"));
        assertThat(unknown.code()).isEqualTo(1);
        assertThat(unknown.err()).contains("no endpoint 'nope'");
        CliTest.Result byEndpoint = run(withPassphrase(dir, "cert", "expiring", "--endpoint", "default", "--json"));
        assertThat(new ObjectMapper().readTree(byEndpoint.out()).get("certificates")).hasSize(3);
        CliTest.Result bad = run(withPassphrase(dir, "cert", "expiring", "--within", "soon"));
        assertThat(bad.code()).isNotZero();
        assertThat(bad.err()).contains("not a duration");
    }

    @Test
    void notifyRun_withoutConfiguration_saysSo_andDryRunListsWhatIsDue(@TempDir Path other) throws Exception {
        CliTest.Result off = run(withPassphrase(dir, "notify", "run", "--dry-run"));
        assertThat(off.code()).isEqualTo(1);
        assertThat(off.err()).contains("no expiry notifications are configured");

        // A relay is configured but never reached: a dry run only reads.
        TestPki.create(other).close();
        Files.writeString(other.resolve("scepca.properties"), "\nnotify.smtp.host=127.0.0.1\nnotify.smtp.port=9\n"
                + "notify.smtp.tls=none\nnotify.smtp.from=ca@example.test\nnotify.smtp.to=it@example.test\n",
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        try (CertificateAuthority ca = TestPki.create(other)) {
            issue(ca, "soon", Duration.ofDays(2), "default", Optional.empty());
        }
        CliTest.Result dry = run(withPassphrase(other, "notify", "run", "--dry-run"));
        assertThat(dry.code()).as(dry.err()).isZero();
        assertThat(dry.out()).contains("e-mail:  1 certificate(s), 0 CA certificate(s) due").contains("at 7 days");

        Files.writeString(other.resolve("scepca.properties"), "\nnotify.smtp.bogus=1\n", StandardOpenOption.APPEND);
        CliTest.Result badKey = run(withPassphrase(other, "notify", "run"));
        assertThat(badKey.code()).isEqualTo(1);
        assertThat(badKey.err()).contains("unknown configuration key 'notify.smtp.bogus'");
    }
}
