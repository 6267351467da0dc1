package org.scepca.server.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** The Prometheus text exposition format 0.0.4, parsed: enough for tests to read series by name and labels. */
public final class PrometheusText {
    /** One sample line. */
    public record Sample(String name, Map<String, String> labels, double value) {
    }

    private final List<Sample> samples;
    private final Map<String, String> types = new LinkedHashMap<>();

    private PrometheusText(List<Sample> samples) {
        this.samples = samples;
    }

    public static PrometheusText parse(String text) {
        List<Sample> samples = new ArrayList<>();
        PrometheusText t = new PrometheusText(samples);
        for (String line : text.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            if (line.startsWith("# TYPE ")) {
                String[] p = line.substring(7).split(" ");
                t.types.put(p[0], p[1]);
                continue;
            }
            if (line.startsWith("#")) {
                continue;
            }
            int brace = line.indexOf('{');
            int space = brace < 0 ? line.indexOf(' ') : line.indexOf(' ', line.lastIndexOf('}'));
            String name = line.substring(0, brace < 0 ? space : brace);
            Map<String, String> labels = new LinkedHashMap<>();
            if (brace >= 0) {
                String inner = line.substring(brace + 1, line.lastIndexOf('}'));
                int i = 0;
                while (i < inner.length()) {
                    int eq = inner.indexOf('=', i);
                    String key = inner.substring(i, eq).strip();
                    StringBuilder v = new StringBuilder();
                    int j = eq + 2; // past ="
                    while (inner.charAt(j) != '"') {
                        if (inner.charAt(j) == '\\') {
                            j++;
                        }
                        v.append(inner.charAt(j++));
                    }
                    labels.put(key, v.toString());
                    i = j + 1;
                    if (i < inner.length() && inner.charAt(i) == ',') {
                        i++;
                    }
                }
            }
            String value = line.substring(space + 1).strip().split(" ")[0];
            samples.add(new Sample(name, labels, Double.parseDouble(value)));
        }
        return t;
    }

    /** The sum of the series of {@code name} whose labels include {@code labels} (0 when there is none). */
    public double sum(String name, String... labels) {
        Map<String, String> want = new LinkedHashMap<>();
        for (int i = 0; i < labels.length; i += 2) {
            want.put(labels[i], labels[i + 1]);
        }
        return samples.stream().filter(s -> s.name().equals(name))
                .filter(s -> want.entrySet().stream().allMatch(e -> e.getValue().equals(s.labels().get(e.getKey()))))
                .mapToDouble(Sample::value).sum();
    }

    /** Whether any series of {@code name} exists. */
    public boolean has(String name) {
        return samples.stream().anyMatch(s -> s.name().equals(name));
    }

    public List<Sample> samples() {
        return samples;
    }

    /** Every sample name, and every metric family name a # TYPE line declares. */
    public Set<String> names() {
        Set<String> names = new TreeSet<>(types.keySet());
        samples.forEach(s -> names.add(s.name()));
        return names;
    }

    /** The # TYPE of a family. */
    public String type(String family) {
        return types.get(family);
    }
}
