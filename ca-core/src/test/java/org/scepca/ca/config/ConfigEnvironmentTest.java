package org.scepca.ca.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scepca.ca.config.CaConfig.InvalidConfigException;
import org.scepca.ca.events.WebhookConfig;
import org.scepca.ca.policy.SanType;

class ConfigEnvironmentTest {
    @TempDir
    Path dir;

    private Path file(String... lines) throws Exception {
        Path f = dir.resolve("scepca.properties");
        Files.write(f, java.util.List.of(lines), StandardCharsets.UTF_8);
        return f;
    }

    @Test
    void aKeysVariableIsThePrefixAndTheKeyUpperCasedWithDotsAndHyphensAsUnderscores() {
        assertThat(ConfigEnvironment.variable("db.url")).isEqualTo("SCEPCA_DB_URL");
        assertThat(ConfigEnvironment.variable("admin.tls-port")).isEqualTo("SCEPCA_ADMIN_TLS_PORT");
        assertThat(ConfigEnvironment.variable("limits.per-source-rps")).isEqualTo("SCEPCA_LIMITS_PER_SOURCE_RPS");
        assertThat(ConfigEnvironment.KEYS).containsEntry("public-base-url", "SCEPCA_PUBLIC_BASE_URL")
                .containsEntry("intune.client-secret-file", "SCEPCA_INTUNE_CLIENT_SECRET_FILE")
                .containsEntry("jamf.url", "SCEPCA_JAMF_URL").containsEntry("webhook.secret-file", "SCEPCA_WEBHOOK_SECRET_FILE");
    }

    @Test
    void everyFixedKeyHasItsOwnVariable_andNoneIsOneOfTheOtherVariables() {
        assertThat(ConfigEnvironment.KEYS.keySet()).containsAll(CaConfig.KEYS).containsAll(WebhookConfig.KEYS)
                .containsAll(CaConfig.INTUNE_KEYS).containsAll(CaConfig.JAMF_KEYS);
        assertThat(new HashSet<>(ConfigEnvironment.KEYS.values())).hasSameSizeAs(ConfigEnvironment.KEYS.keySet());
        assertThat(ConfigEnvironment.KEYS.values()).doesNotContainAnyElementsOf(ConfigEnvironment.VARIABLES.keySet());
        assertThat(ConfigEnvironment.VARIABLES).containsKeys("SCEPCA_PASSPHRASE", "SCEPCA_PASSPHRASE_FILE", "SCEPCA_DATA",
                "SCEPCA_HOST", "SCEPCA_PORT", "SCEPCA_CRYPTO", "SCEPCA_DEBUG", "SCEPCA_JAVA_OPTS", "SCEPCA_SYNC",
                DatabaseConfig.PASSWORD_ENV, "SCEPCA_REQUIRE_POSTGRES", "SCEPCA_PG_BIN");
        // Endpoints are named by the operator: file only.
        assertThat(ConfigEnvironment.KEYS.keySet()).noneMatch(k -> k.startsWith("endpoint."));
    }

    @Test
    void theEnvironmentAddsKeysAndWinsOverTheFile() throws Exception {
        Path f = file("db.pool-size=8", "crl.next-update-hours=24", "scep.approval=manual");
        Properties p = CaConfig.read(f, Map.of("SCEPCA_DB_POOL_SIZE", "32", "SCEPCA_PUBLIC_BASE_URL", "https://ca.example.com"));
        assertThat(p.getProperty("db.pool-size")).isEqualTo("32");
        assertThat(p.getProperty("public-base-url")).isEqualTo("https://ca.example.com");
        assertThat(p.getProperty("crl.next-update-hours")).isEqualTo("24");

        CaConfig c = CaConfig.load(f, Map.of("SCEPCA_DB_POOL_SIZE", "32", "SCEPCA_SCEP_APPROVAL", "auto"));
        assertThat(c.dbPoolSize()).isEqualTo(32);
        assertThat(c.manualApproval()).isFalse();
        assertThat(c.crlNextUpdate()).isEqualTo(Duration.ofHours(24));
        // Without a variable, the file's value stands.
        assertThat(CaConfig.load(f, Map.of()).manualApproval()).isTrue();
    }

    @Test
    void withoutAFileTheEnvironmentAloneConfigures() {
        CaConfig c = CaConfig.load(dir.resolve("none.properties"), Map.of("SCEPCA_POLICY_VALIDITY_DAYS", "30"));
        assertThat(c.policy().validity()).isEqualTo(Duration.ofDays(30));
    }

    @Test
    void anEmptyVariableCountsAsUnset() throws Exception {
        Path f = file("scep.approval=manual");
        assertThat(CaConfig.load(f, Map.of("SCEPCA_SCEP_APPROVAL", "")).manualApproval()).isTrue();
        assertThat(ConfigEnvironment.of(Map.of("SCEPCA_SCEP_APPROVAL", "")).keys()).isEmpty();
    }

    @Test
    void valuesKeepTheirSpaces() throws Exception {
        Path secrets = Files.createDirectories(dir.resolve("docker secrets"));
        Files.writeString(secrets.resolve("db password"), "pw with spaces\n");
        CaConfig c = CaConfig.load(file(), Map.of(
                "SCEPCA_POLICY_SAN_TYPES", " DNS, EMAIL ",
                "SCEPCA_DB_URL", "jdbc:postgresql://db:5432/scepca",
                "SCEPCA_DB_PASSWORD_FILE", secrets.resolve("db password").toString()));
        assertThat(c.policy().sanTypes()).containsExactlyInAnyOrder(SanType.DNS, SanType.EMAIL);
        assertThat(c.database().password()).contains("pw with spaces");
        assertThat(CaConfig.read(file(), Map.of("SCEPCA_SCEP_STATIC_CHALLENGE", "  a challenge with spaces  "))
                .getProperty("scep.static-challenge")).isEqualTo("  a challenge with spaces  ");
    }

    @Test
    void scepcasOtherVariablesAreNotKeys() throws Exception {
        Map<String, String> env = Map.of("SCEPCA_PASSPHRASE", "x", "SCEPCA_PASSPHRASE_FILE", "/run/secrets/p",
                "SCEPCA_DATA", "/data", "SCEPCA_HOST", "0.0.0.0", "SCEPCA_PORT", "8080", "SCEPCA_CRYPTO", "jdk",
                "SCEPCA_DEBUG", "1", "SCEPCA_JAVA_OPTS", "-Xmx1g", "SCEPCA_REQUIRE_POSTGRES", "1", "SCEPCA_PG_BIN", "/usr/bin");
        Properties p = CaConfig.read(file("scep.approval=auto"), env);
        assertThat(p.stringPropertyNames()).containsExactly("scep.approval");
        CaConfig.load(file(), env); // no unknown key
        ConfigEnvironment e = ConfigEnvironment.of(env);
        assertThat(e.keys()).isEmpty();
        assertThat(e.unknownVariables()).isEmpty();
    }

    @Test
    void theDatabasePasswordComesFromTheGivenEnvironment() throws Exception {
        CaConfig c = CaConfig.load(file(), Map.of("SCEPCA_DB_URL", "jdbc:postgresql://db:5432/scepca",
                "SCEPCA_DB_USER", "ca_app", DatabaseConfig.PASSWORD_ENV, "from-the-map"));
        assertThat(c.database().url()).contains("jdbc:postgresql://db:5432/scepca");
        assertThat(c.database().user()).isEqualTo("ca_app");
        assertThat(c.database().password()).contains("from-the-map");
    }

    @Test
    void otherScepcaVariablesAreReported_endpointKeysStayInTheFile() throws Exception {
        ConfigEnvironment e = ConfigEnvironment.of(Map.of("SCEPCA_DB_UR", "jdbc:postgresql://x/y",
                "SCEPCA_ENDPOINT_DEVICES_AUTH", "one-time", "PATH", "/usr/bin", "SCEPCA_DB_URL", "jdbc:postgresql://db/ca"));
        assertThat(e.unknownVariables()).containsExactly("SCEPCA_DB_UR", "SCEPCA_ENDPOINT_DEVICES_AUTH");
        assertThat(e.keys()).containsOnlyKeys("db.url");
        assertThat(CaConfig.read(file(), e.variables()).stringPropertyNames()).containsExactly("db.url");
    }

    @Test
    void theStartUpLineNamesKeysAndVariables_neverValues() {
        ConfigEnvironment e = ConfigEnvironment.of(Map.of("SCEPCA_SCEP_STATIC_CHALLENGE", "very-secret-static-value",
                "SCEPCA_ADMIN_HOST", "0.0.0.0"));
        assertThat(e.describe()).isEqualTo("admin.host (SCEPCA_ADMIN_HOST), scep.static-challenge (SCEPCA_SCEP_STATIC_CHALLENGE)")
                .doesNotContain("very-secret").doesNotContain("0.0.0.0");
    }

    @Test
    void anErrorNamesTheKey_andTheVariableWhenTheBadValueCameFromTheEnvironment() throws Exception {
        Path f = file("crl.next-update-hours=0");
        assertThatThrownBy(() -> CaConfig.load(f, Map.of())).isInstanceOf(InvalidConfigException.class)
                .hasMessageStartingWith("crl.next-update-hours must be between").hasMessageNotContaining("SCEPCA_");
        assertThatThrownBy(() -> CaConfig.load(dir.resolve("none.properties"), Map.of("SCEPCA_POLICY_VALIDITY_DAYS", "a year")))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessage("policy.validity-days must be a whole number, not 'a year'"
                        + " (policy.validity-days is set by the environment variable SCEPCA_POLICY_VALIDITY_DAYS)");
        // The file's bad value is the one in use: the variable is not mentioned when it did not set that key.
        assertThatThrownBy(() -> CaConfig.load(f, Map.of("SCEPCA_DB_POOL_SIZE", "4")))
                .hasMessageNotContaining("SCEPCA_DB_POOL_SIZE");
        // The environment overrides the file's bad value.
        assertThat(CaConfig.load(f, Map.of("SCEPCA_CRL_NEXT_UPDATE_HOURS", "12")).crlNextUpdate()).isEqualTo(Duration.ofHours(12));
    }

    @Test
    void aKeyInsideALongerKeyIsNotNamed() {
        ConfigEnvironment e = ConfigEnvironment.of(Map.of("SCEPCA_POLICY_MAX_SANS", "3"));
        InvalidConfigException error = new InvalidConfigException("policy.max-sans-length must be between 1 and 8000");
        assertThat(e.explain(error)).isSameAs(error);
        assertThat(e.explain(new InvalidConfigException("policy.max-sans must be at most 100.")).getMessage())
                .endsWith("(policy.max-sans is set by the environment variable SCEPCA_POLICY_MAX_SANS)");
    }

    @Test
    void theIncludeKeyCanComeFromTheEnvironment_andTheEnvironmentWinsOverTheIncludedFile() throws Exception {
        Files.writeString(dir.resolve("more.properties"), "crl.next-update-hours=48\nscep.approval=manual\n");
        Path f = file("db.pool-size=8");
        Properties p = CaConfig.read(f, Map.of("SCEPCA_INCLUDE", "more.properties", "SCEPCA_SCEP_APPROVAL", "auto"));
        assertThat(p.getProperty("crl.next-update-hours")).isEqualTo("48");
        assertThat(p.getProperty("scep.approval")).isEqualTo("auto");
        assertThat(p.getProperty("db.pool-size")).isEqualTo("8");
        assertThatThrownBy(() -> CaConfig.load(f, Map.of("SCEPCA_INCLUDE", "missing.properties")))
                .hasMessageContaining("include: no file").hasMessageContaining("SCEPCA_INCLUDE");
    }

    @Test
    void delegatedFamiliesReadTheirKeysFromTheEnvironmentToo() throws Exception {
        Files.writeString(dir.resolve("hook"), "0123456789abcdef0123456789abcdef0123456789abcdef\n");
        Properties p = CaConfig.read(file(), Map.of("SCEPCA_WEBHOOK_URL", "https://hooks.example.com/ca",
                "SCEPCA_WEBHOOK_SECRET_FILE", "hook", "SCEPCA_WEBHOOK_EVENTS", "issued, revoked"));
        var hook = WebhookConfig.from(p, dir).orElseThrow();
        assertThat(hook.events()).hasSize(2);
        assertThat(Set.copyOf(CaConfig.load(file(), Map.of("SCEPCA_WEBHOOK_URL", "https://h.example.com/",
                "SCEPCA_WEBHOOK_SECRET_FILE", "hook")).delegated().keySet()))
                .containsExactlyInAnyOrder("webhook.url", "webhook.secret-file");
    }
}
