package org.scepca.it.docker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/**
 * The repository's docker/ folder read as docker compose and nginx read it: the compose file as YAML, the env file
 * as KEY=VALUE lines, nginx configurations as directives. No Docker engine runs here, so the tests check these files
 * against the code instead of running them.
 */
final class DockerFolder {
    final Path repo;
    final Path docker;

    DockerFolder() {
        Path here = Path.of("").toAbsolutePath();
        this.repo = Files.isRegularFile(here.resolve("scepca")) ? here : here.getParent();
        this.docker = repo.resolve("docker");
    }

    JsonNode compose() {
        try {
            return new ObjectMapper(new YAMLFactory()).readTree(docker.resolve("compose.yaml").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String read(String pathInRepo) {
        try {
            return Files.readString(repo.resolve(pathInRepo), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A service's environment as compose builds it: its env_file entries, then its environment map over them. */
    Map<String, String> environment(JsonNode service) {
        Map<String, String> env = new TreeMap<>();
        for (JsonNode f : service.path("env_file")) {
            env.putAll(envFile(read("docker/" + f.asText())));
        }
        service.path("environment").fields().forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));
        return env;
    }

    /** docker compose's env file: VAR=VALUE lines, # comments and blank lines skipped, the value as written. */
    static Map<String, String> envFile(String text) {
        Map<String, String> env = new LinkedHashMap<>();
        for (String line : text.lines().toList()) {
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#")) {
                continue;
            }
            int eq = l.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("not VAR=VALUE: " + line);
            }
            env.put(l.substring(0, eq), l.substring(eq + 1));
        }
        return env;
    }

    /** One nginx directive: its name and arguments (quotes removed), in file order. */
    record Directive(String name, List<String> args) {
        String arg() {
            return String.join(" ", args);
        }
    }

    /** The directives of an nginx configuration, blocks flattened (enough for the simple files under docker/nginx). */
    static List<Directive> directives(String conf) {
        StringBuilder text = new StringBuilder();
        for (String line : conf.lines().toList()) {
            int hash = line.indexOf('#');
            text.append(hash >= 0 && line.substring(0, hash).chars().filter(c -> c == '"').count() % 2 == 0
                    ? line.substring(0, hash) : line).append('\n');
        }
        List<Directive> out = new ArrayList<>();
        List<String> tokens = new ArrayList<>();
        int i = 0;
        String s = text.toString();
        while (i < s.length()) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == ';' || c == '{' || c == '}') {
                if (!tokens.isEmpty()) {
                    out.add(new Directive(tokens.get(0), List.copyOf(tokens.subList(1, tokens.size()))));
                    tokens.clear();
                }
                i++;
            } else if (c == '"') {
                int end = s.indexOf('"', i + 1);
                tokens.add(s.substring(i + 1, end));
                i = end + 1;
            } else {
                int start = i;
                while (i < s.length() && !Character.isWhitespace(s.charAt(i)) && ";{}".indexOf(s.charAt(i)) < 0) {
                    i++;
                }
                tokens.add(s.substring(start, i));
            }
        }
        return out;
    }

    static List<String> values(List<Directive> directives, String name) {
        return directives.stream().filter(d -> d.name().equals(name)).map(Directive::arg).toList();
    }

    static String value(List<Directive> directives, String name) {
        List<String> v = values(directives, name);
        if (v.size() != 1) {
            throw new AssertionError(name + ": expected one directive, found " + v);
        }
        return v.get(0);
    }
}
