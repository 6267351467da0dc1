package org.scepca.ca.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.scepca.ca.testing.Csrs.csr;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scepca.ca.CertificateAuthority;
import org.scepca.ca.config.CaConfig;
import org.scepca.ca.config.CaConfig.InvalidConfigException;
import org.scepca.ca.issuance.IssuanceRequest;
import org.scepca.ca.policy.CertificateProfile;
import org.scepca.ca.revocation.RevocationReason;
import org.scepca.ca.store.IssuanceEffects;
import org.scepca.ca.testing.TestPki;

/** The CA opened from a data folder whose scepca.properties configures webhooks: issue, revoke, refuse, deliver. */
class WebhooksWiringTest {
    @TempDir
    Path dir;

    private Properties write(String url) throws Exception {
        WebhookConfigTest.writeSecret(dir.resolve("webhook-secret"), WebhookConfigTest.SECRET);
        Properties p = new Properties();
        p.setProperty("webhook.url", url);
        p.setProperty("webhook.secret-file", "webhook-secret");
        try (var out = Files.newBufferedWriter(dir.resolve("scepca.properties"))) {
            p.store(out, null);
        }
        return p;
    }

    @Test
    void aCaWithWebhooksConfiguredQueuesAndDeliversIssuanceRevocationAndRefusal() throws Exception {
        try (Receiver receiver = new Receiver()) {
            Properties p = write(receiver.url().toString());
            CountDownLatch three = receiver.expect(3);
            try (CertificateAuthority ca = TestPki.create(dir, CaConfig.from(p))) {
                Webhooks hooks = ca.webhooks().orElseThrow();
                var issued = ca.issuance().issue(new IssuanceRequest(csr().subject("CN=mac-9,O=Acme").dns("mac-9.acme.test")
                        .build(), "scep:10.0.0.5", CertificateProfile.CLIENT, IssuanceEffects.none()));
                ca.revocation().revoke(issued.record().serial(), RevocationReason.KEY_COMPROMISE, "token:ops");
                hooks.publishRefusal(CaEvent.refused(ca.clock().instant(), Optional.of("tx-r"), Optional.empty(), List.of(),
                        "badMessageCheck", "signature does not verify", "scep:10.0.0.6"));
                hooks.start();
                assertThat(three.await(2, TimeUnit.MINUTES)).as("three deliveries").isTrue();
                assertThat(receiver.deliveries).extracting(r -> r.header("X-Scepca-Event"))
                        .containsExactlyInAnyOrder("issued", "revoked", "refused");
                var revoked = receiver.deliveries.stream().filter(r -> r.header("X-Scepca-Event").equals("revoked"))
                        .map(r -> EventOutboxTest.readTree(r.body())).findFirst().orElseThrow();
                assertThat(revoked.get("actor").asText()).isEqualTo("token:ops");
                assertThat(revoked.get("serial").asText()).isEqualTo(issued.record().serialHex());
            }
        }
    }

    @Test
    void aBadWebhookKeyStopsTheCaFromOpening_namingTheKey() throws Exception {
        write("http://hooks.example.com/x");
        assertThatThrownBy(() -> TestPki.create(dir, CaConfig.defaults())).isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("webhook.url");
    }

    @Test
    void withoutWebhookKeysThereAreNoWebhooks() {
        try (CertificateAuthority ca = TestPki.create(dir)) {
            assertThat(ca.webhooks()).isEmpty();
        }
    }
}
