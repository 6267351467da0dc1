package org.scepca.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.scepca.ca.testing.Csrs.csr;

import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.jscep.transaction.FailInfo;
import org.jscep.transaction.PkiStatus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scepca.ca.config.CaConfig;
import org.scepca.ca.material.CaDirectory;
import org.scepca.ca.testing.TestKeys;
import org.scepca.ca.testing.TestPki;
import org.scepca.intune.fake.FakeIntune;
import org.scepca.intune.fake.FakeIntune.Route;
import org.scepca.server.admin.AdminConfig;
import org.scepca.server.app.Running;
import org.scepca.server.app.ServerConfig;
import org.scepca.server.cli.Providers;
import org.scepca.server.e2e.ScepWire.Reply;
import org.scepca.server.e2e.ScepWire.Signer;
import org.scepca.server.http.RateLimits;
import org.scepca.server.integrations.Integrations;

/**
 * A slow Intune never stalls the other endpoints: with the server's PKIOperation cap at 8, Intune may hold 2 of them;
 * the other Intune enrollments are refused at once, and a device on /scep still enrolls while Intune hangs. Without
 * the bulkhead the 8 Intune requests would hold every slot and /scep would get 503.
 */
class IntuneBulkheadTest {
    @TempDir
    static Path dir;
    static FakeIntune intune;
    static Running server;
    static ScepWire wire;

    @BeforeAll
    static void start() throws Exception {
        Providers.register();
        TestPki.create(dir).close();
        intune = FakeIntune.start();
        Properties p = intune.properties(dir);
        p.setProperty("intune.timeout-seconds", "20");
        p.setProperty("intune.retries", "0");
        p.setProperty("endpoint.intune.auth", "intune");
        RateLimits limits = new RateLimits(true, 1000, 1000, 1000, 1000, 8, false, false);
        server = Running.start(new CaDirectory(dir), TestPki.PASSPHRASE, CaConfig.from(p, dir),
                ServerConfig.defaults("127.0.0.1", 0).withLimits(limits), AdminConfig.disabled(), System::nanoTime,
                new Integrations.Options(Optional.of(intune.clientSslContext()), Optional.empty()));
        wire = new ScepWire(server);
        // Tokens and discovery first, so that the hanging below is Intune's validation only.
        intune.answerValidation("warm-up", "Success", "");
        KeyPair k = TestKeys.rsa2048(90);
        Signer s = Signer.throwaway(k);
        wire.send(wire.pkcsReq("warm-up", csr().keys(k).subject("CN=warm").challenge("blob").build(), s), s, "/scep/intune")
                .issued();
    }

    @AfterAll
    static void stop() {
        server.close();
        intune.close();
    }

    @Test
    void intuneHoldsAQuarterOfTheSlots_theRestIsRefusedAtOnce_andScepStillEnrolls() throws Exception {
        intune.delayAlways(Route.VALIDATE, Duration.ofSeconds(6));
        int before = intune.count(Route.VALIDATE);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Reply>> intuneReplies = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                int n = i;
                intuneReplies.add(pool.submit(() -> {
                    KeyPair k = TestKeys.rsa2048(91);
                    Signer s = Signer.throwaway(k);
                    return wire.send(wire.pkcsReq("bulkhead-" + n, csr().keys(k).subject("CN=dev-" + n)
                            .challenge("blob").build(), s), s, "/scep/intune");
                }));
            }
            // Two reach Intune and wait; six come back refused without waiting.
            await().atMost(Duration.ofSeconds(30)).until(() -> intuneReplies.stream().filter(Future::isDone).count() == 6);
            // The two slot holders reach the fake on their own time (a slow machine may still be building the
            // call when the six refusals are back): wait for both, then make sure no third one ever arrives.
            await().atMost(Duration.ofSeconds(5)).until(() -> intune.count(Route.VALIDATE) - before >= 2);
            Thread.sleep(300);
            assertThat(intune.count(Route.VALIDATE) - before).isEqualTo(2);
            for (Future<Reply> f : intuneReplies) {
                if (f.isDone()) {
                    assertThat(f.get().status()).isEqualTo(PkiStatus.FAILURE);
                    assertThat(f.get().failInfo()).contains(FailInfo.badRequest);
                }
            }
            // While Intune still hangs, /scep has slots: a device there enrolls (a 503 would throw here).
            KeyPair k = TestKeys.rsa2048(92);
            String challenge = server.ca().challenges().mint(Duration.ofMinutes(5), Optional.empty()).secret();
            Signer s = Signer.throwaway(k);
            assertThat(intuneReplies.stream().filter(Future::isDone).count()).as("Intune still hangs").isEqualTo(6);
            assertThat(wire.send(wire.pkcsReq("bulkhead-scep", csr().keys(k).subject("CN=laptop").challenge(challenge)
                    .build(), s), s).success()).isTrue();
            // The two that waited are issued once Intune answers.
            for (Future<Reply> f : intuneReplies) {
                f.get();
            }
            assertThat(intuneReplies.stream().filter(f -> {
                try {
                    return f.get().success();
                } catch (Exception e) {
                    return false;
                }
            }).count()).isEqualTo(2);
        } finally {
            intune.heal();
            pool.shutdownNow();
        }
    }
}
