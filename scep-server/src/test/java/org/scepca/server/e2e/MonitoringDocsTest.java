package org.scepca.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.scepca.ca.testing.Csrs.csr;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jscep.client.Client;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scepca.ca.testing.TestKeys;
import org.scepca.ca.tokens.AdminRole;
import org.scepca.server.admin.AdminConfig;
import org.scepca.server.app.Running;
import org.scepca.server.metrics.PrometheusText;
import org.yaml.snakeyaml.Yaml;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * docs/monitoring.md, the Grafana dashboard and the Prometheus alert rules name only metrics a real server exposes
 * (scraped after an enrollment, a refusal and an OCSP answer, so that the meters exist), and the docs list every
 * scepca_ metric the server exposes.
 */
class MonitoringDocsTest {
    static final Path DOCS = Path.of("..", "docs");
    /** A metric name in PromQL: the families we expose, by prefix; label names and functions never start so. */
    static final Pattern METRIC = Pattern.compile("\\b(?:scepca|jvm|process|hikaricp|jetty|system)_[a-zA-Z0-9_]+\\b");

    @TempDir
    static Path dir;
    static Running server;
    static PrometheusText scrape;

    @BeforeAll
    static void start() throws Exception {
        server = MetricsEndToEndTest.startWithAdmin(dir, AdminConfig.loopback(0));
        Client client = ScepClients.client("http://127.0.0.1:" + server.port() + "/scep");
        KeyPair keys = TestKeys.freshRsa2048();
        String challenge = server.ca().challenges().mint(Duration.ofMinutes(10), Optional.empty()).secret();
        assertThat(client.enrol(ScepClients.selfSigned(keys, "CN=throwaway"), keys.getPrivate(),
                csr().keys(keys).subject("CN=docs").challenge(challenge).build()).isSuccess()).isTrue();
        assertThat(client.enrol(ScepClients.selfSigned(keys, "CN=throwaway"), keys.getPrivate(),
                csr().keys(keys).subject("CN=docs-refused").challenge("wrong").build()).isFailure()).isTrue();
        MetricsEndToEndTest.ocsp(server, MetricsEndToEndTest.ocspRequest(server, java.math.BigInteger.TEN));
        String viewer = server.ca().tokens().create("docs", AdminRole.VIEWER).token();
        // The GC meters appear with the first collection, which a short test may not see by itself.
        System.gc();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> MetricsEndToEndTest.get(
                server.adminPort(), "/metrics", viewer).body().contains("jvm_gc_pause_seconds_count"));
        String text = MetricsEndToEndTest.get(server.adminPort(), "/metrics", viewer).body();
        Files.writeString(Path.of("target", "metrics-sample.txt"), text);
        scrape = PrometheusText.parse(text);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static Set<String> metricNames(String promql) {
        Set<String> names = new TreeSet<>();
        Matcher m = METRIC.matcher(promql);
        while (m.find()) {
            names.add(m.group());
        }
        return names;
    }

    /** Every metric {@code expr} names is exposed; an expression with none must be about Prometheus's own {@code up}. */
    static void assertNamesExposed(String expr) {
        Set<String> names = metricNames(expr);
        if (names.isEmpty()) {
            assertThat(expr).as("names no metric of ours").containsPattern("\\bup\\{job=");
        }
        assertThat(names).as(expr).allSatisfy(n -> assertThat(scrape.names()).as("exposed").contains(n));
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyAlertRuleNamesExposedMetrics() throws Exception {
        Map<String, Object> doc = new Yaml().load(Files.readString(DOCS.resolve("prometheus/scepca-alerts.yml")));
        List<String> alerts = new ArrayList<>();
        for (Map<String, Object> group : (List<Map<String, Object>>) doc.get("groups")) {
            for (Map<String, Object> rule : (List<Map<String, Object>>) group.get("rules")) {
                String expr = String.valueOf(rule.get("expr"));
                alerts.add(String.valueOf(rule.get("alert")));
                assertNamesExposed(expr);
                assertThat((Map<String, Object>) rule.get("labels")).as("rule %s", rule.get("alert"))
                        .containsKey("severity");
                assertThat((Map<String, Object>) rule.get("annotations")).containsKeys("summary", "description");
            }
        }
        assertThat(alerts).doesNotHaveDuplicates().contains("ScepcaIssuingCaExpiresIn90Days",
                "ScepcaIssuingCaExpiresIn30Days", "ScepcaCrlNearNextUpdate", "ScepcaCrlPastNextUpdate",
                "ScepcaRefusalSpike", "ScepcaServerErrors", "ScepcaUnavailable", "ScepcaReplicaDown",
                "ScepcaWebhookBacklog");
    }

    @Test
    void theDashboardIsImportable_andNamesExposedMetrics() throws Exception {
        JsonNode d = new ObjectMapper().readTree(DOCS.resolve("grafana/scepca-dashboard.json").toFile());
        // Grafana 9.x and 10.x write schema versions 36 to 39 and import them unchanged.
        assertThat(d.path("schemaVersion").asInt()).isBetween(36, 39);
        assertThat(d.path("uid").asText()).isNotEmpty();
        JsonNode ds = null;
        for (JsonNode v : d.path("templating").path("list")) {
            if (v.path("type").asText().equals("datasource")) {
                ds = v;
            }
        }
        assertThat(ds).as("a datasource variable").isNotNull();
        assertThat(ds.path("query").asText()).isEqualTo("prometheus");
        String var = "${" + ds.path("name").asText() + "}";
        Set<Integer> ids = new TreeSet<>();
        int targets = 0;
        List<JsonNode> panels = new ArrayList<>();
        d.path("panels").forEach(p -> {
            panels.add(p);
            p.path("panels").forEach(panels::add); // collapsed rows keep their panels inside
        });
        for (JsonNode p : panels) {
            assertThat(ids.add(p.path("id").asInt())).as("panel id %s unique", p.path("id")).isTrue();
            assertThat(p.has("gridPos")).isTrue();
            if (p.path("type").asText().equals("row")) {
                continue;
            }
            assertThat(p.path("datasource").path("uid").asText()).as("panel %s", p.path("title")).isEqualTo(var);
            for (JsonNode t : p.path("targets")) {
                targets++;
                String expr = t.path("expr").asText();
                assertNamesExposed(expr);
            }
        }
        assertThat(targets).isGreaterThan(10);
        for (JsonNode v : d.path("templating").path("list")) {
            if (v.path("type").asText().equals("query")) {
                String q = v.path("query").isObject() ? v.path("query").path("query").asText() : v.path("query").asText();
                assertThat(metricNames(q)).allSatisfy(n -> assertThat(scrape.names()).contains(n));
            }
        }
    }

    /** Every scepca_ family the server exposes has its row in docs/monitoring.md, and every row is exposed. */
    @Test
    void theDocsListEveryScepcaMetric() throws Exception {
        String docs = Files.readString(DOCS.resolve("monitoring.md"));
        Set<String> families = new TreeSet<>();
        for (String n : scrape.names()) {
            if (n.startsWith("scepca_") && scrape.type(n) != null) {
                families.add(n);
            }
        }
        assertThat(families).isNotEmpty().allSatisfy(f -> assertThat(docs).as("docs/monitoring.md lists " + f)
                .contains("`" + f + "`"));
        Matcher m = Pattern.compile("^\\| `(scepca_[a-z0-9_]+)`", Pattern.MULTILINE).matcher(docs);
        while (m.find()) {
            assertThat(families).as("documented and exposed").contains(m.group(1));
        }
    }
}
