package org.scepca.est;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scepca.ca.CertificateAuthority;
import org.scepca.ca.config.CaConfig;
import org.scepca.ca.testing.Csrs;
import org.scepca.ca.testing.TestKeys;
import org.scepca.ca.testing.TestPki;
import org.scepca.ca.testing.TestProperties;

/** A refused EST enrollment is a webhook "refused" event like SCEP's, naming the protocol, endpoint and names asked for. */
class EstRefusalEventTest {
    @TempDir
    Path dir;

    @Test
    void refusalsAreQueuedAsRefusedEvents() throws Exception {
        Path secret = dir.resolve("webhook-secret");
        Files.writeString(secret, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                StandardCharsets.US_ASCII);
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
        // Delivery is never started here (nothing listens there): the events stay in the outbox to be read. The CA
        // reads its webhook keys from the data folder's scepca.properties.
        java.util.Properties p = TestProperties.of("endpoint.default.est", "true", "webhook.url",
                "http://127.0.0.1:9/hook", "webhook.secret-file", "webhook-secret");
        try (var out = Files.newBufferedWriter(dir.resolve("scepca.properties"))) {
            p.store(out, null);
        }
        CaConfig config = CaConfig.from(p);
        try (CertificateAuthority ca = TestPki.create(dir, config)) {
            assertThat(ca.webhooks()).isPresent();
            EstService est = new EstService(ca, ca.endpoints().defaultEndpoint());
            byte[] csr = Csrs.csr().keys(TestKeys.ec("secp256r1")).subject("CN=intruder").dns("intruder.example.com")
                    .build().getEncoded();
            assertThat(est.simpleEnroll(csr, EstCredentials.password("wrong"))).isInstanceOf(EstReply.Refused.class);
        }
        // Closing the CA writes the queued refusals to the outbox.
        try (CertificateAuthority ca = TestPki.create(dir, config)) {
            List<String> payloads = ca.database().inTransaction(c -> {
                List<String> out = new ArrayList<>();
                try (PreparedStatement ps = c.prepareStatement(
                        "SELECT payload FROM event_outbox WHERE event_type = 'refused'");
                        ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(rs.getString(1));
                    }
                }
                return out;
            });
            assertThat(payloads).hasSize(1);
            assertThat(payloads.get(0)).contains("\"actor\":\"est\"").contains("\"failInfo\":\"badRequest\"")
                    .contains("\"subject\":\"CN=intruder\"").contains("dns:intruder.example.com")
                    .contains("\"endpoint\":\"default\"").contains("wrong, expired or used challenge password");
        }
    }
}
