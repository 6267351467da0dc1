package org.scepca.it.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.scepca.it.docker.DockerFolder.directives;
import static org.scepca.it.docker.DockerFolder.value;
import static org.scepca.it.docker.DockerFolder.values;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scepca.ca.config.CaConfig;
import org.scepca.ca.config.ConfigEnvironment;
import org.scepca.ca.material.CaDirectory;
import org.scepca.ca.testing.TestPki;
import org.scepca.it.docker.DockerFolder.Directive;
import org.scepca.server.admin.AdminConfig;
import org.scepca.server.app.ServerConfig;
import org.scepca.server.cli.Main;
import org.scepca.server.cli.Providers;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * docker/ against the code, without a Docker engine: compose.yaml's services, commands, variables, secrets, volumes
 * and ports, the Dockerfile, the nginx configurations and docs/docker.md must agree with what the server reads,
 * writes and listens on. DockerEntrypointIT runs the entrypoint itself.
 */
class DockerComposeTest {
    private static final DockerFolder FOLDER = new DockerFolder();
    private static final String IMAGE = "scepca:latest";
    private static final Pattern SCEPCA_VARIABLE = Pattern.compile("SCEPCA_[A-Z0-9_]+");

    private final JsonNode compose = FOLDER.compose();

    private JsonNode service(String name) {
        JsonNode s = compose.path("services").path(name);
        assertThat(s.isMissingNode()).as("service " + name).isFalse();
        return s;
    }

    /** The services that run the scepca image, by name. */
    private Map<String, JsonNode> scepcaServices() {
        Map<String, JsonNode> out = new TreeMap<>();
        compose.path("services").fields().forEachRemaining(e -> {
            if (IMAGE.equals(e.getValue().path("image").asText())) {
                out.put(e.getKey(), e.getValue());
            }
        });
        return out;
    }

    private static String command(JsonNode service) {
        return service.path("command").path(0).asText();
    }

    private List<String> replicas() {
        return scepcaServices().entrySet().stream().filter(e -> command(e.getValue()).equals("serve"))
                .map(Map.Entry::getKey).toList();
    }

    @Test
    void theServicesArePostgresAnInitServiceTwoReplicasNginxAndTheSampleApp() {
        Set<String> names = new TreeSet<>();
        compose.path("services").fieldNames().forEachRemaining(names::add);
        assertThat(names).containsExactlyInAnyOrder("postgres", "scepca-init", "scepca-1", "scepca-2", "nginx", "app");
        assertThat(replicas()).containsExactly("scepca-1", "scepca-2");
        assertThat(command(service("scepca-init"))).isEqualTo("init");
        for (JsonNode s : scepcaServices().values()) {
            assertThat(s.path("build").path("context").asText()).isEqualTo("..");
            assertThat(FOLDER.docker.resolve(s.path("build").path("context").asText())
                    .resolve(s.path("build").path("dockerfile").asText())).isEqualTo(FOLDER.docker.resolve("../docker/Dockerfile"))
                    .exists();
        }
    }

    @Test
    void everyCommandIsOneTheEntrypointHandles_andItsScepcaCommandLinesParse() {
        String entrypoint = FOLDER.read("docker/entrypoint.sh");
        Set<String> modes = new TreeSet<>();
        Matcher m = Pattern.compile("(?m)^  ([a-z-]+)\\)").matcher(entrypoint.substring(entrypoint.indexOf("case \"$command\" in")));
        while (m.find()) {
            modes.add(m.group(1));
        }
        assertThat(modes).containsExactlyInAnyOrder("serve", "init", "health");
        scepcaServices().values().forEach(s -> assertThat(modes).contains(command(s)));
        // The scepca command lines the entrypoint runs, with the options as it passes them: picocli must accept them.
        for (String[] args : List.of(
                new String[] {"serve", "--data", "/data", "--host", "0.0.0.0", "--port", "8080"},
                new String[] {"init", "--data", "/data", "--if-absent", "--name", "Example", "--org", "Example Inc."},
                new String[] {"cert", "issue-server", "--data", "/data", "--out", "/data/tls", "--dns", "localhost"})) {
            new picocli.CommandLine(new Main()).parseArgs(args);
            for (String a : args) {
                if (a.startsWith("--")) {
                    assertThat(entrypoint).as("the entrypoint passes " + a).contains(a);
                }
            }
        }
        assertThat(entrypoint).contains("--port \"${SCEPCA_PORT:-8080}\"", "--host \"${SCEPCA_HOST:-0.0.0.0}\"",
                "data=\"${SCEPCA_DATA:-/data}\"");
    }

    @Test
    void everyScepcaVariableIsAKeysOrADocumentedVariable_andTheValuesAreValid(@TempDir Path tmp) throws Exception {
        String docs = FOLDER.read("docs/docker.md");
        Set<String> known = new TreeSet<>(ConfigEnvironment.VARIABLES.keySet());
        known.addAll(ConfigEnvironment.KEYS.values());
        for (Map.Entry<String, JsonNode> e : scepcaServices().entrySet()) {
            Map<String, String> env = FOLDER.environment(e.getValue());
            for (String name : env.keySet()) {
                assertThat(name).as(e.getKey() + ": only scepca's own variables").startsWith("SCEPCA_");
                assertThat(known).as(e.getKey() + ": " + name + " is neither a key's variable nor one of scepca's").contains(name);
                assertThat(docs).as("docs/docker.md documents " + name).contains("`" + name + "`");
            }
            // The values as the server will read them: the secrets' paths point at files made here.
            Map<String, String> local = new HashMap<>();
            Files.createDirectories(tmp.resolve("secrets"));
            env.forEach((k, v) -> local.put(k, v.replace("/run/secrets/", tmp.resolve("secrets") + "/")));
            for (JsonNode secret : e.getValue().path("secrets")) {
                Files.writeString(tmp.resolve("secrets").resolve(secret.asText()), "secret-" + secret.asText() + "\n");
            }
            Path none = tmp.resolve("scepca.properties");
            CaConfig config = CaConfig.load(none, local);
            var properties = CaConfig.read(none, local);
            AdminConfig admin = AdminConfig.from(properties, tmp);
            ServerConfig.limits(properties);
            assertThat(config.database().isPostgres()).isTrue();
            assertThat(config.database().password()).contains("secret-db_password");
            assertThat(admin.enabled()).isTrue();
            assertThat(ConfigEnvironment.of(local).unknownVariables()).isEmpty();
        }
        // Any SCEPCA_ name elsewhere in docker/ too (entrypoint, Dockerfile): scepca's own or a key's.
        for (String file : List.of("docker/entrypoint.sh", "docker/Dockerfile", "docker/compose.yaml", "docker/scepca.env")) {
            Matcher m = SCEPCA_VARIABLE.matcher(FOLDER.read(file));
            while (m.find()) {
                assertThat(known).as(file + " uses " + m.group()).contains(m.group());
                assertThat(docs).as("docs/docker.md documents " + m.group() + " (used in " + file + ")")
                        .contains("`" + m.group() + "`");
            }
        }
    }

    @Test
    void theReplicasShareTheDatabaseThePostgresServiceCreates() {
        JsonNode postgres = service("postgres");
        Map<String, String> pg = FOLDER.environment(postgres);
        assertThat(postgres.path("image").asText()).startsWith("postgres:");
        assertThat(postgres.path("healthcheck").path("test").toString()).contains("pg_isready");
        for (Map.Entry<String, JsonNode> e : scepcaServices().entrySet()) {
            Map<String, String> env = FOLDER.environment(e.getValue());
            URI url = URI.create(env.get(ConfigEnvironment.variable("db.url")).substring("jdbc:".length()));
            assertThat(url.getHost()).isEqualTo("postgres");
            assertThat(url.getPort()).isEqualTo(5432);
            assertThat(url.getPath()).isEqualTo("/" + pg.get("POSTGRES_DB"));
            assertThat(env.get(ConfigEnvironment.variable("db.user"))).isEqualTo(pg.get("POSTGRES_USER"));
            assertThat(env.get(ConfigEnvironment.variable("db.password-file"))).isEqualTo(pg.get("POSTGRES_PASSWORD_FILE"));
            assertThat(e.getValue().path("depends_on").path("postgres").path("condition").asText()).isEqualTo("service_healthy");
        }
        for (String replica : replicas()) {
            assertThat(service(replica).path("depends_on").path("scepca-init").path("condition").asText())
                    .isEqualTo("service_completed_successfully");
            assertThat(service(replica).path("init").asBoolean()).isTrue();
        }
    }

    @Test
    void everySecretAServiceReadsIsMountedInIt_andTheSecretFilesNeverReachGitOrAnImage() {
        Set<String> declared = new TreeSet<>();
        compose.path("secrets").fieldNames().forEachRemaining(declared::add);
        assertThat(declared).containsExactlyInAnyOrder("ca_passphrase", "db_password");
        compose.path("services").fields().forEachRemaining(e -> {
            Set<String> mounted = new TreeSet<>();
            e.getValue().path("secrets").forEach(s -> mounted.add(s.asText()));
            assertThat(declared).containsAll(mounted);
            FOLDER.environment(e.getValue()).forEach((k, v) -> {
                if (v.startsWith("/run/secrets/")) {
                    assertThat(mounted).as(e.getKey() + ": " + k).contains(v.substring("/run/secrets/".length()));
                }
            });
        });
        compose.path("secrets").forEach(s -> assertThat(s.path("file").asText()).startsWith("./secrets/"));
        assertThat(FOLDER.read(".gitignore").lines()).contains("/docker/secrets/");
        assertThat(FOLDER.read(".dockerignore").lines()).contains("docker/secrets");
    }

    @Test
    void theDataVolumeIsTheImagesDataFolder_andNginxSeesOnlyTheCrlsAndItsOwnCertificate() {
        String dockerfile = FOLDER.read("docker/Dockerfile");
        assertThat(dockerfile).contains("VOLUME /data", "ENV SCEPCA_DATA=/data");
        for (Map.Entry<String, JsonNode> e : scepcaServices().entrySet()) {
            List<String> volumes = new ArrayList<>();
            e.getValue().path("volumes").forEach(v -> volumes.add(v.asText()));
            assertThat(volumes).as(e.getKey()).containsExactly("scepca-data:/data");
        }
        CaDirectory mounted = new CaDirectory(Path.of("/scepca"));
        Map<String, String> subpaths = new TreeMap<>();
        for (JsonNode v : service("nginx").path("volumes")) {
            if (v.isObject()) {
                assertThat(v.path("source").asText()).isEqualTo("scepca-data");
                assertThat(v.path("read_only").asBoolean()).isTrue();
                subpaths.put(v.path("volume").path("subpath").asText(), v.path("target").asText());
            }
        }
        // Not ca/: it holds the CA's keys.
        assertThat(subpaths).containsOnlyKeys("crl", "tls");
        assertThat(Path.of(subpaths.get("crl"))).isEqualTo(mounted.crlDir());
        List<Directive> mtls = directives(FOLDER.read("docker/nginx/conf.d/mtls-app.conf"));
        assertThat(value(mtls, "ssl_crl")).isEqualTo(mounted.crlPem().toString());
        assertThat(FOLDER.read("docker/nginx/crl-reload.sh")).contains("${CRL_FILE:-" + mounted.crlPem() + "}");
        // What the entrypoint's init writes into DIR/tls for nginx ('cert issue-server' names, and the chain copy).
        String tls = subpaths.get("tls");
        assertThat(value(mtls, "ssl_client_certificate")).isEqualTo(tls + "/ca-chain.pem");
        assertThat(FOLDER.read("docker/entrypoint.sh")).contains("\"$data/ca/chain.pem\" \"$data/tls/ca-chain.pem\"",
                "--out \"$data/tls\"");
        for (String conf : List.of("scep.conf", "mtls-app.conf")) {
            List<Directive> d = directives(FOLDER.read("docker/nginx/conf.d/" + conf));
            assertThat(value(d, "ssl_certificate")).isEqualTo(tls + "/server-chain.pem");
            assertThat(value(d, "ssl_certificate_key")).isEqualTo(tls + "/server.key");
        }
        List<String> binds = new ArrayList<>();
        service("nginx").path("volumes").forEach(v -> {
            if (v.isTextual()) {
                binds.add(v.asText());
            }
        });
        assertThat(binds).containsExactlyInAnyOrder("./nginx/conf.d:/etc/nginx/conf.d:ro",
                "./nginx/crl-reload.sh:/docker-entrypoint.d/90-crl-reload.sh:ro");
        assertThat(Files.isExecutable(FOLDER.docker.resolve("nginx/crl-reload.sh"))).as("the image runs only executable"
                + " /docker-entrypoint.d scripts").isTrue();
        assertThat(Files.isExecutable(FOLDER.docker.resolve("entrypoint.sh"))).isTrue();
    }

    @Test
    void portsMatchWhatTheServerAndNginxListenOn() {
        String dockerfile = FOLDER.read("docker/Dockerfile");
        assertThat(dockerfile).contains("EXPOSE 8080 " + AdminConfig.DEFAULT_PORT);
        // nginx's upstream: every replica on the entrypoint's SCEP port, and nothing else.
        List<Directive> scep = directives(FOLDER.read("docker/nginx/conf.d/scep.conf"));
        List<String> upstream = values(scep, "server").stream().filter(s -> !s.isEmpty()).map(s -> s.split(" ")[0]).toList();
        assertThat(upstream).containsExactlyElementsOf(replicas().stream().map(r -> r + ":8080").toList());
        // Both server blocks (TLS on 443, revocation data over plain HTTP on 80) proxy to that upstream only.
        assertThat(values(scep, "proxy_pass")).hasSize(2).containsOnly("http://" + value(scep, "upstream"));
        // Admin: published on the host's loopback only, to the container's admin port.
        Set<String> hostPorts = new TreeSet<>();
        for (String replica : replicas()) {
            Map<String, String> env = FOLDER.environment(service(replica));
            int adminPort = Integer.parseInt(env.getOrDefault(ConfigEnvironment.variable("admin.port"),
                    Integer.toString(AdminConfig.DEFAULT_PORT)));
            assertThat(env.get(ConfigEnvironment.variable("admin.host"))).isEqualTo("0.0.0.0");
            List<String> ports = new ArrayList<>();
            service(replica).path("ports").forEach(p -> ports.add(p.asText()));
            assertThat(ports).hasSize(1);
            String[] parts = ports.get(0).split(":");
            assertThat(parts[0]).as("published on the host's loopback only").isEqualTo("127.0.0.1");
            assertThat(parts[2]).isEqualTo(Integer.toString(adminPort));
            hostPorts.add(parts[1]);
        }
        assertThat(hostPorts).hasSize(replicas().size());
        // nginx publishes what its server blocks listen on; the mTLS block proxies to the app service's port.
        Set<String> listens = new TreeSet<>();
        for (String conf : List.of("scep.conf", "mtls-app.conf")) {
            values(directives(FOLDER.read("docker/nginx/conf.d/" + conf)), "listen").forEach(l -> listens.add(l.split(" ")[0]));
        }
        Set<String> published = new TreeSet<>();
        service("nginx").path("ports").forEach(p -> {
            String[] parts = p.asText().split(":");
            assertThat(parts[0]).isEqualTo(parts[1]);
            published.add(parts[1]);
        });
        assertThat(published).isEqualTo(listens).containsExactlyInAnyOrder("80", "443", "8443");
        List<Directive> app = directives(FOLDER.read("docker/nginx/app.conf"));
        assertThat(value(directives(FOLDER.read("docker/nginx/conf.d/mtls-app.conf")), "proxy_pass"))
                .isEqualTo("http://app:" + value(app, "listen"));
        assertThat(service("app").path("ports").isMissingNode()).as("the app is reached through nginx only").isTrue();
        for (String replica : replicas()) {
            assertThat(service("nginx").path("depends_on").path(replica).path("condition").asText()).isEqualTo("service_healthy");
        }
    }

    @Test
    void theDockerfileBuildsWithTheLaunchersMavenCommand_andRunsTheEntrypointAsANonRootUser() {
        String dockerfile = FOLDER.read("docker/Dockerfile");
        Matcher launcher = Pattern.compile("\\(cd \"\\$here\" && (mvn [^)]*)\\)").matcher(FOLDER.read("scepca"));
        assertThat(launcher.find()).isTrue();
        Matcher build = Pattern.compile("(?m)^RUN .*?(mvn .*)$").matcher(dockerfile);
        assertThat(build.find()).isTrue();
        assertThat(build.group(1).strip()).isEqualTo(launcher.group(1));
        assertThat(dockerfile).contains("COPY --from=build /src/scep-server/target/scepca.jar /app/scepca.jar",
                "COPY scep-server/jvm.options /app/jvm.options", "/app/entrypoint.sh",
                "ENTRYPOINT [\"/app/entrypoint.sh\"]", "CMD [\"serve\"]",
                "HEALTHCHECK", "CMD [\"/app/entrypoint.sh\", \"health\"]", "USER 10001:10001");
        assertThat(dockerfile.lines().filter(l -> l.startsWith("FROM ")).toList()).hasSize(2);
    }

    @Test
    void theMtlsServerBlockHasTheDirectivesScepcaNginxConfigPrints(@TempDir Path tmp) {
        Path data = tmp.resolve("data");
        Providers.register();
        TestPki.create(data).close();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new String[] {"nginx-config", "--data", data.toString(), "--server-name", "_", "--listen",
                "8443", "--cert", "/scepca/tls/server-chain.pem", "--key", "/scepca/tls/server.key", "--upstream",
                "http://app:8080"}, new PrintWriter(out), new PrintWriter(err));
        assertThat(code).as(err.toString()).isZero();
        List<Directive> printed = directives(out.toString());
        List<Directive> ours = directives(FOLDER.read("docker/nginx/conf.d/mtls-app.conf"));
        // The same directives, in the same order; only the CA's two files are elsewhere (the compose mounts).
        Set<String> paths = Set.of("ssl_client_certificate", "ssl_crl");
        assertThat(ours.stream().map(Directive::name).toList()).isEqualTo(printed.stream().map(Directive::name).toList());
        assertThat(ours.stream().filter(d -> !paths.contains(d.name())).map(Directive::toString).toList())
                .isEqualTo(printed.stream().filter(d -> !paths.contains(d.name())).map(Directive::toString).toList());
    }

    @Test
    void theDocsListEveryVariable() {
        String docs = FOLDER.read("docs/docker.md");
        String start = "<!-- environment variables: generated by DockerComposeTest.environmentTable() -->\n";
        String end = "<!-- end of the environment variables -->";
        assertThat(docs).contains(start, end);
        String table = docs.substring(docs.indexOf(start) + start.length(), docs.indexOf(end));
        assertThat(table).as("docs/docker.md's table; expected:\n" + environmentTable()).isEqualTo(environmentTable());
        for (String service : List.of("postgres", "scepca-init", "scepca-1", "scepca-2", "nginx", "app")) {
            assertThat(docs).contains("`" + service + "`");
        }
    }

    /** The docs' table: scepca's variables, then every key's (the rule makes them, the table lets one grep). */
    static String environmentTable() {
        StringBuilder b = new StringBuilder("| variable | what |\n|---|---|\n");
        ConfigEnvironment.VARIABLES.forEach((name, what) -> b.append("| `").append(name).append("` | ").append(what)
                .append(" |\n"));
        b.append("\n| variable | key |\n|---|---|\n");
        ConfigEnvironment.KEYS.forEach((key, name) -> b.append("| `").append(name).append("` | `").append(key)
                .append("` |\n"));
        return b.toString();
    }

    @Test
    void noTwoServicesClaimOneHostPort() {
        List<String> all = new ArrayList<>();
        compose.path("services").forEach(s -> s.path("ports").forEach(p -> {
            String[] parts = p.asText().split(":");
            all.add(parts.length == 3 ? parts[0] + ":" + parts[1] : "0.0.0.0:" + parts[0]);
        }));
        assertThat(all).doesNotHaveDuplicates();
    }
}
