package org.scepca.intune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.scepca.ca.config.CaConfig;
import org.scepca.ca.config.ConfigEnvironment;
import org.scepca.ca.config.CaConfig.InvalidConfigException;
import org.scepca.intune.IntuneConfig.ClientCertificate;
import org.scepca.intune.IntuneConfig.ClientSecret;
import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

/** The intune.* keys: defaults, files relative to the configuration folder, errors that name the key. */
class IntuneConfigTest {
    static final String TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
    static final String CLIENT = "11111111-2222-3333-4444-555555555555";
    static final String SECRET = "s3cr3t~value.with-chars";

    @TempDir
    Path dir;

    @BeforeEach
    void secretFile() throws Exception {
        Path f = dir.resolve("intune.secret");
        Files.writeString(f, "  " + SECRET + "\n");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
    }

    private Properties minimal() {
        Properties p = new Properties();
        p.setProperty("intune.tenant-id", TENANT);
        p.setProperty("intune.client-id", CLIENT);
        p.setProperty("intune.client-secret-file", "intune.secret");
        return p;
    }

    private InvalidConfigException error(Properties p) {
        try {
            IntuneConfig.from(p, dir);
        } catch (InvalidConfigException e) {
            return e;
        }
        throw new AssertionError("expected InvalidConfigException");
    }

    @Test
    void noIntuneKey_meansTheIntegrationIsOff() {
        Properties p = new Properties();
        p.setProperty("policy.validity-days", "30");
        assertThat(IntuneConfig.from(p, dir)).isEmpty();
    }

    @Test
    void everyIntuneKey_canBeSetByTheEnvironment_andErrorsNameTheVariable() {
        assertThat(ConfigEnvironment.KEYS).containsKeys(IntuneConfig.KEYS.toArray(String[]::new));
        java.util.Map<String, String> env = java.util.Map.of("SCEPCA_INTUNE_TENANT_ID", TENANT,
                "SCEPCA_INTUNE_CLIENT_ID", CLIENT, "SCEPCA_INTUNE_CLIENT_SECRET_FILE", "intune.secret",
                "SCEPCA_INTUNE_TIMEOUT_SECONDS", "soon");
        Properties p = CaConfig.read(dir.resolve("none.properties"), env);
        assertThat(ConfigEnvironment.of(env).explain(error(p)).getMessage()).startsWith("intune.timeout-seconds")
                .endsWith("(intune.timeout-seconds is set by the environment variable SCEPCA_INTUNE_TIMEOUT_SECONDS)");
        p.remove("intune.timeout-seconds");
        assertThat(IntuneConfig.from(p, dir).orElseThrow().tenantId()).isEqualTo(TENANT);
    }

    @Test
    void minimal_hasMicrosoftsPublicCloudDefaults() {
        IntuneConfig c = IntuneConfig.from(minimal(), dir).orElseThrow();

        assertThat(c.tenantId()).isEqualTo(TENANT);
        assertThat(c.clientId()).isEqualTo(CLIENT);
        assertThat(c.credential()).isEqualTo(new ClientSecret(SECRET)); // trimmed
        assertThat(c.authority()).isEqualTo("https://login.microsoftonline.com/" + TENANT);
        assertThat(c.graphScope()).isEqualTo("https://graph.microsoft.com/.default");
        assertThat(c.intuneScope()).isEqualTo("https://api.manage.microsoft.com//.default");
        assertThat(c.timeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.retries()).isEqualTo(2);
        assertThat(c.breakerFailureThreshold()).isEqualTo(5);
        assertThat(c.breakerOpen()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.revocationSyncInterval()).isEmpty();
        assertThat(c.discoveryCacheTtl()).isEqualTo(Duration.ofMinutes(60));
    }

    @Test
    void everyKey_isRead() throws Exception {
        Path abs = dir.resolve("elsewhere.secret");
        Files.writeString(abs, "other");
        Properties p = minimal();
        p.setProperty("intune.client-secret-file", abs.toString());
        p.setProperty("intune.login-url", "https://login.microsoftonline.us/");
        p.setProperty("intune.graph-url", "https://graph.microsoft.us");
        p.setProperty("intune.resource-url", "https://api.manage.microsoft.us/");
        p.setProperty("intune.timeout-seconds", "4");
        p.setProperty("intune.retries", "0");
        p.setProperty("intune.breaker-failure-threshold", "3");
        p.setProperty("intune.breaker-open-seconds", "120");
        p.setProperty("intune.revocation-sync-interval", "15");
        p.setProperty("intune.discovery-cache-minutes", "5");

        IntuneConfig c = IntuneConfig.from(p, dir).orElseThrow();

        assertThat(c.credential()).isEqualTo(new ClientSecret("other"));
        assertThat(c.authority()).isEqualTo("https://login.microsoftonline.us/" + TENANT);
        assertThat(c.graphScope()).isEqualTo("https://graph.microsoft.us/.default");
        assertThat(c.intuneScope()).isEqualTo("https://api.manage.microsoft.us//.default");
        assertThat(c.timeout()).isEqualTo(Duration.ofSeconds(4));
        assertThat(c.retries()).isZero();
        assertThat(c.breakerFailureThreshold()).isEqualTo(3);
        assertThat(c.breakerOpen()).isEqualTo(Duration.ofMinutes(2));
        assertThat(c.revocationSyncInterval()).contains(Duration.ofMinutes(15));
        assertThat(c.discoveryCacheTtl()).isEqualTo(Duration.ofMinutes(5));
        assertThat(IntuneConfig.KEYS).allMatch(k -> p.containsKey(k) || k.startsWith("intune.client-certificate"));
    }

    @Test
    void theSecretIsNeverPrinted() {
        IntuneConfig c = IntuneConfig.from(minimal(), dir).orElseThrow();
        assertThat(c.toString()).doesNotContain(SECRET).contains("ClientSecret[***]");
        assertThat(c.credential().toString()).doesNotContain(SECRET);
    }

    @Test
    void unknownIntuneKey_isAnErrorNamingIt() {
        Properties p = minimal();
        p.setProperty("intune.client-secret", "inline secrets are not a thing");
        assertThat(error(p)).hasMessageStartingWith("unknown configuration key 'intune.client-secret'");
    }

    @Test
    void caConfig_leavesTheIntuneFamilyToThisModel() {
        Properties p = minimal();
        p.setProperty("intune.typo", "x");
        assertThat(CaConfig.from(p)).isNotNull();
        assertThat(error(p)).hasMessageContaining("'intune.typo'");
    }

    @ParameterizedTest
    @CsvSource({"intune.tenant-id", "intune.client-id", "intune.client-secret-file"})
    void missingRequiredKey_isAnErrorNamingIt(String key) {
        Properties p = minimal();
        p.remove(key);
        assertThat(error(p)).hasMessageStartingWith(key);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "intune.tenant-id|../../evil|intune.tenant-id",
        "intune.client-id|my-app|intune.client-id",
        "intune.login-url|http://login.microsoftonline.com|intune.login-url",
        "intune.login-url|https://login.microsoftonline.com/tenant|intune.login-url",
        "intune.graph-url|https://graph.microsoft.com?x=1|intune.graph-url",
        "intune.resource-url|ftp://api.manage.microsoft.com/|intune.resource-url",
        "intune.timeout-seconds|0|intune.timeout-seconds",
        "intune.retries|9|intune.retries",
        "intune.breaker-failure-threshold|many|intune.breaker-failure-threshold",
        "intune.breaker-open-seconds|0|intune.breaker-open-seconds",
        "intune.revocation-sync-interval|0|intune.revocation-sync-interval",
        "intune.discovery-cache-minutes|-1|intune.discovery-cache-minutes",
        "intune.client-secret-file|missing.secret|intune.client-secret-file",
        "intune.client-certificate-password-file|pw|intune.client-certificate-password-file"})
    void badValue_isAnErrorNamingTheKey(String key, String value, String named) {
        Properties p = minimal();
        p.setProperty(key, value);
        assertThat(error(p)).hasMessageContaining(named);
    }

    @Test
    void emptySecretFile_isAnError() throws Exception {
        Files.writeString(dir.resolve("intune.secret"), " \n");
        assertThat(error(minimal())).hasMessageStartingWith("intune.client-secret-file").hasMessageContaining("empty");
    }

    @Test
    void secretAndCertificate_together_areAnError() {
        Properties p = minimal();
        p.setProperty("intune.client-certificate-file", "app.p12");
        assertThat(error(p)).hasMessageContaining("either intune.client-secret-file or intune.client-certificate-file");
    }

    @Test
    void worldReadableSecretFile_isAcceptedWithAWarningNamingTheKey() throws Exception {
        Files.setPosixFilePermissions(dir.resolve("intune.secret"), PosixFilePermissions.fromString("rw-r--r--"));
        Logger logger = (Logger) LoggerFactory.getLogger(IntuneConfig.class);
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        logger.addAppender(log);
        try {
            assertThat(IntuneConfig.from(minimal(), dir)).isPresent();
        } finally {
            logger.detachAppender(log);
        }
        assertThat(log.list).anySatisfy(e -> assertThat(e.getFormattedMessage())
                .startsWith("intune.client-secret-file: ").contains("readable by every user").doesNotContain(SECRET));
    }

    /** Keys for a certificate credential: app.p12 (password pw-123) and app.pw holding {@code passwordInFile}. */
    private Properties certificateKeys(String passwordInFile) throws Exception {
        TestCerts.clientCertificateFile(dir.resolve("app.p12"), "pw-123".toCharArray());
        Files.writeString(dir.resolve("app.pw"), passwordInFile + "\n");
        Properties p = minimal();
        p.remove("intune.client-secret-file");
        p.setProperty("intune.client-certificate-file", "app.p12");
        p.setProperty("intune.client-certificate-password-file", "app.pw");
        return p;
    }

    @Test
    void certificateCredential_isLoadedFromPkcs12WithItsPasswordFile() throws Exception {
        IntuneConfig c = IntuneConfig.from(certificateKeys("pw-123"), dir).orElseThrow();

        assertThat(c.credential()).isInstanceOf(ClientCertificate.class);
        assertThat(((ClientCertificate) c.credential()).chain()).hasSize(1);
        assertThat(c.toString()).contains("ClientCertificate[CN=scepca-intune-app]");
    }

    @Test
    void certificateWithWrongPassword_isAnErrorNamingTheKey() throws Exception {
        assertThat(error(certificateKeys("wrong"))).hasMessageStartingWith("intune.client-certificate-file");
    }

    @Test
    void tenantMayBeADomainName() {
        Properties p = minimal();
        p.setProperty("intune.tenant-id", "contoso.onmicrosoft.com");
        assertThat(IntuneConfig.from(p, dir).map(IntuneConfig::authority))
                .isEqualTo(Optional.of("https://login.microsoftonline.com/contoso.onmicrosoft.com"));
    }

    @Test
    void compactConstructor_refusesNonsense() {
        IntuneConfig c = IntuneConfig.from(minimal(), dir).orElseThrow();
        assertThatThrownBy(() -> new IntuneConfig(c.tenantId(), c.clientId(), c.credential(), c.loginUrl(),
                c.graphUrl(), c.resourceUrl(), Duration.ZERO, 1, 1, c.breakerOpen(), Optional.empty(),
                c.discoveryCacheTtl())).isInstanceOf(IllegalArgumentException.class);
    }
}
