package org.scepca.server.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.scepca.ca.audit.AuditLine;
import org.scepca.ca.config.CaConfig;
import org.scepca.ca.material.CaDirectory;
import org.scepca.ca.testing.TestPki;
import org.scepca.ca.tokens.AdminRole;
import org.scepca.jamf.JamfConfig;
import org.scepca.server.app.Running;
import org.scepca.server.app.ServerConfig;
import org.scepca.server.cli.Providers;
import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

/**
 * Jamf Pro's SCEPChallenge webhook with HTTP Basic authentication (Jamf's "Basic Authentication" type), over real HTTP
 * against a real server: the configured credential and an enroller token as the password mint challenges, nothing
 * else does, and the same credentials open no other route. The failure limit runs on a clock the test steps.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JamfWebhookBasicAuthTest {
    static final String WEBHOOK = "/api/v1/jamf/scep-challenge";
    static final String USER = "jamf-pro";
    static final String PASSWORD = "Jamf-webhook-pw-0b9f1c27d4e8a6";
    static final String EVENT = "{\"webhook\":{\"webhookEvent\":\"SCEPChallenge\"},\"event\":{\"serialNumber\":"
            + "\"C02BASIC0001\",\"udid\":\"0000FE00-6C6A1B3D2B4E1F2A\"}}";

    @TempDir
    static Path dir;
    private Running running;
    private AdminHttp http;
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private String enroller;
    private String admin;
    private String viewer;
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();

    @BeforeAll
    void start() throws Exception {
        Providers.register();
        TestPki.create(dir).close();
        Files.writeString(dir.resolve("jamf-webhook.password"), PASSWORD + "\n");
        Properties p = new Properties();
        p.setProperty("jamf.webhook-username", USER);
        p.setProperty("jamf.webhook-password-file", "jamf-webhook.password");
        AdminConfig config = AdminConfig.loopback(0).withJamf(JamfConfig.from(p, dir));
        logs.start();
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.addAppender(logs);
        ((Logger) LoggerFactory.getLogger(AuditLine.LOGGER)).setLevel(Level.INFO);
        running = Running.start(new CaDirectory(dir), TestPki.PASSPHRASE, CaConfig.defaults(),
                ServerConfig.defaults("127.0.0.1", 0), config, nanos::get);
        http = AdminHttp.plain(running.adminPort());
        enroller = running.ca().tokens().create("jamf-token", AdminRole.ENROLLER).token();
        admin = running.ca().tokens().create("alice", AdminRole.ADMIN).token();
        viewer = running.ca().tokens().create("victor", AdminRole.VIEWER).token();
    }

    @AfterAll
    void stop() {
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
        running.close();
    }

    /** Every test starts with a full budget of failures (their buckets refill while the clock moves). */
    @BeforeEach
    void rest() {
        nanos.addAndGet(TimeUnit.MINUTES.toNanos(10));
    }

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private AdminHttp.Reply send(String method, String path, String authorization, String json) {
        return http.send(method, path, null, "application/json",
                json == null ? null : json.getBytes(StandardCharsets.UTF_8), "Authorization", authorization);
    }

    private List<Map<String, String>> audit() {
        return logs.list.stream().filter(e -> e.getLoggerName().equals(AuditLine.LOGGER))
                .map(e -> AuditLine.parse(e.getFormattedMessage())).toList();
    }

    private void assertIssuesAChallenge(AdminHttp.Reply r) {
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(r.header("Content-Type")).startsWith("text/plain");
        String challenge = r.text().strip();
        assertThat(challenge).matches("[0-9a-f]{32}");
        assertThat(running.ca().challenges().check(challenge)).isPresent();
    }

    private static void assertUnauthorizedProblem(AdminHttp.Reply r, String what) {
        assertThat(r.status()).as(what).isEqualTo(401);
        assertThat(r.header("Content-Type")).as(what).startsWith("application/problem+json");
        assertThat(r.problemType()).as(what).isEqualTo("unauthorized");
    }

    @Test
    void theConfiguredCredential_mintsAChallenge_auditedAsTheWebhook() {
        assertIssuesAChallenge(send("POST", WEBHOOK, basic(USER, PASSWORD), EVENT));
        assertThat(audit()).anySatisfy(line -> assertThat(line).containsEntry("op", "challenge-create")
                .containsEntry("via", "jamf-webhook").containsEntry("actor", "basic:" + USER)
                .containsEntry("endpoint", "admin-api"));
    }

    @Test
    void anyUsernameWithAnEnrollerTokenAsPassword_mintsAChallenge() {
        assertIssuesAChallenge(send("POST", WEBHOOK, basic("whatever", enroller), EVENT));
        assertThat(audit()).anySatisfy(line -> assertThat(line).containsEntry("actor", "token:jamf-token"));
    }

    @Test
    void anAdminOrViewerTokenAsBasicPassword_isRefused() {
        for (String token : List.of(admin, viewer)) {
            AdminHttp.Reply r = send("POST", WEBHOOK, basic(USER, token), EVENT);
            assertUnauthorizedProblem(r, "token as password");
            assertThat(r.json().path("detail").asText()).contains("only an enroller token");
        }
    }

    @Test
    void wrongCredentials_are401WithTheBasicChallenge_andProblemJson_andMintNothing() {
        int before = running.ca().challenges().listActive(10_000).size();
        for (String authorization : List.of(basic(USER, PASSWORD + "x"), basic("jamf", PASSWORD),
                basic(USER, PASSWORD.toUpperCase(java.util.Locale.ROOT)), basic(USER, "scepca_not-a-token"),
                "Basic not/base64!", "Basic " + Base64.getEncoder().encodeToString("no-colon".getBytes()))) {
            AdminHttp.Reply r = send("POST", WEBHOOK, authorization, EVENT);
            assertUnauthorizedProblem(r, authorization);
            assertThat(r.headers().allValues("WWW-Authenticate")).as(authorization)
                    .containsExactly("Basic realm=\"scepca-jamf\", charset=\"UTF-8\"");
        }
        assertThat(running.ca().challenges().listActive(10_000)).hasSize(before);
    }

    @Test
    void noCredentials_onTheWebhook_offersBasicAndBearer() {
        AdminHttp.Reply r = http.post(WEBHOOK, null, EVENT);
        assertUnauthorizedProblem(r, "anonymous");
        assertThat(r.headers().allValues("WWW-Authenticate"))
                .containsExactly("Basic realm=\"scepca-jamf\", charset=\"UTF-8\"", "Bearer realm=\"scepca-admin\"");
    }

    @Test
    void bearerTokens_stillWork_onTheWebhook() {
        assertIssuesAChallenge(http.post(WEBHOOK, enroller, EVENT));
        AdminHttp.Reply wrong = http.post(WEBHOOK, "scepca_wrong", EVENT);
        assertUnauthorizedProblem(wrong, "wrong bearer");
        assertThat(wrong.headers().allValues("WWW-Authenticate"))
                .containsExactly("Bearer realm=\"scepca-admin\", error=\"invalid_token\"");
    }

    @Test
    void theWebhooksBasicCredentials_openNoOtherRoute() {
        record Call(String method, String path, String body) {
        }
        List<Call> calls = List.of(new Call("GET", "/api/v1/me", null), new Call("GET", "/api/v1/certificates", null),
                new Call("GET", "/api/v1/challenges", null), new Call("POST", "/api/v1/challenges", "{}"),
                new Call("GET", "/api/v1/dashboard", null), new Call("GET", "/api/v1/ca/chain", null),
                new Call("POST", "/api/v1/certificates/1a2b/revoke", "{\"reason\":\"keyCompromise\"}"),
                new Call("POST", "/api/v1/profiles/generic", "{}"), new Call("GET", "/api/v1/requests", null));
        for (String authorization : List.of(basic(USER, PASSWORD), basic(USER, enroller))) {
            for (Call c : calls) {
                rest();
                AdminHttp.Reply r = send(c.method(), c.path(), authorization, c.body());
                assertUnauthorizedProblem(r, c.method() + " " + c.path());
                assertThat(r.json().path("detail").asText()).contains("only by POST /api/v1/jamf/scep-challenge");
                assertThat(r.headers().allValues("WWW-Authenticate")).containsExactly("Bearer realm=\"scepca-admin\"");
            }
        }
        // The same route with another method is not the webhook either.
        assertThat(send("GET", WEBHOOK, basic(USER, PASSWORD), null).status()).isEqualTo(405);
    }

    @Test
    void failedBasicAuthentications_areLimitedPerSource_andABlockedSourceLearnsNothing() {
        for (int i = 0; i < AuthFailureLimiter.BURST; i++) {
            assertThat(send("POST", WEBHOOK, basic(USER, "guess-" + i), EVENT).status()).isEqualTo(401);
        }
        AdminHttp.Reply blocked = send("POST", WEBHOOK, basic(USER, "guess-x"), EVENT);
        assertThat(blocked.status()).isEqualTo(429);
        assertThat(blocked.header("Retry-After")).isEqualTo(String.valueOf(AuthFailureLimiter.SECONDS_PER_FAILURE));
        assertThat(blocked.header("Content-Type")).startsWith("application/problem+json");
        assertThat(blocked.problemType()).isEqualTo("rate-limited");
        // Even the right password is not checked while blocked: a guess that hits tells nothing.
        assertThat(send("POST", WEBHOOK, basic(USER, PASSWORD), EVENT).status()).isEqualTo(429);
        // Bearer tokens (256-bit random) are not limited.
        assertIssuesAChallenge(http.post(WEBHOOK, enroller, EVENT));

        nanos.addAndGet(TimeUnit.SECONDS.toNanos(AuthFailureLimiter.SECONDS_PER_FAILURE));
        assertIssuesAChallenge(send("POST", WEBHOOK, basic(USER, PASSWORD), EVENT));
        assertThat(send("POST", WEBHOOK, basic(USER, "guess-y"), EVENT).status()).isEqualTo(401);
        assertThat(send("POST", WEBHOOK, basic(USER, PASSWORD), EVENT).status()).isEqualTo(429);
    }

    @Test
    void thePassword_neverReachesALog() {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        Level level = root.getLevel();
        root.setLevel(Level.INFO);
        try {
            send("POST", WEBHOOK, basic(USER, PASSWORD), EVENT);
            send("POST", WEBHOOK, basic(USER, PASSWORD + "-wrong"), EVENT);
            send("GET", "/api/v1/me", basic(USER, PASSWORD), null);
        } finally {
            root.setLevel(level);
        }
        assertThat(logs.list).isNotEmpty().allSatisfy(e -> {
            assertThat(e.getFormattedMessage()).doesNotContain(PASSWORD);
            if (e.getThrowableProxy() != null) {
                assertThat(e.getThrowableProxy().getMessage()).doesNotContain(PASSWORD);
            }
        });
    }
}
