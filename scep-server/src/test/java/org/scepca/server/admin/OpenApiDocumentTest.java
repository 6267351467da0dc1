package org.scepca.server.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;
import org.scepca.ca.CertificateAuthority;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The OpenAPI document and the registered routes describe the same API: same paths, methods and roles. */
class OpenApiDocumentTest {
    private static final java.util.Set<String> METHODS = java.util.Set.of("get", "put", "post", "delete", "patch",
            "head", "options");

    private final JsonNode doc;

    OpenApiDocumentTest() throws Exception {
        doc = new ObjectMapper().readTree(AdminApi.loadOpenApi());
    }

    /** "GET /certificates/{serial}" → required role ("viewer", "admin" or "none"). */
    private Map<String, String> documented() {
        Map<String, String> out = new TreeMap<>();
        for (var path : doc.path("paths").properties()) {
            for (var op : path.getValue().properties()) {
                if (METHODS.contains(op.getKey())) {
                    out.put(op.getKey().toUpperCase(Locale.ROOT) + " " + path.getKey(),
                            op.getValue().path("x-required-role").asText("missing"));
                }
            }
        }
        return out;
    }

    private Map<String, String> registered() {
        // The CA is only captured by the handlers; listing routes never touches it.
        Map<String, String> out = new TreeMap<>();
        for (Route r : AdminServer.routes(mock(CertificateAuthority.class),
                java.util.Optional.of(mock(org.scepca.server.profiles.ProfileService.class)), () -> 8080)) {
            out.put(r.method() + " " + r.path(), r.role().map(x -> x.id()).orElse("none"));
        }
        return out;
    }

    @Test
    void documentedOperations_equalRegisteredRoutes_withTheSameRoles() {
        assertThat(documented()).isEqualTo(registered());
    }

    @Test
    void everyProtectedOperation_documents401_andEveryChange_documents403() {
        for (var path : doc.path("paths").properties()) {
            path.getValue().properties().forEach(op -> {
                String role = op.getValue().path("x-required-role").asText();
                var responses = new TreeSet<String>();
                op.getValue().path("responses").fieldNames().forEachRemaining(responses::add);
                if (!role.equals("none")) {
                    assertThat(responses).as(op.getKey() + " " + path.getKey()).contains("401");
                }
                if (role.equals("admin")) {
                    assertThat(responses).as(op.getKey() + " " + path.getKey()).contains("403");
                }
            });
        }
    }

    @Test
    void everyPathParameter_isDeclared_andEveryReferenceResolves() {
        Map<String, JsonNode> schemas = new HashMap<>();
        doc.path("components").path("schemas").properties().forEach(e -> schemas.put(e.getKey(), e.getValue()));
        Map<String, JsonNode> responses = new HashMap<>();
        doc.path("components").path("responses").properties().forEach(e -> responses.put(e.getKey(), e.getValue()));
        doc.path("paths").properties().forEach(path -> path.getValue().properties().forEach(op -> {
            var declared = new TreeSet<String>();
            op.getValue().path("parameters").forEach(p -> {
                if (p.path("in").asText().equals("path")) {
                    declared.add(p.path("name").asText());
                }
            });
            var inTemplate = new TreeSet<String>();
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\{([^}]+)}").matcher(path.getKey());
            while (m.find()) {
                inTemplate.add(m.group(1));
            }
            assertThat(declared).as(op.getKey() + " " + path.getKey()).isEqualTo(inTemplate);
        }));
        doc.findValues("$ref").forEach(ref -> {
            String r = ref.asText();
            if (r.startsWith("#/components/schemas/")) {
                assertThat(schemas).containsKey(r.substring("#/components/schemas/".length()));
            } else {
                assertThat(r).startsWith("#/components/responses/");
                assertThat(responses).containsKey(r.substring("#/components/responses/".length()));
            }
        });
        assertThat(doc.path("openapi").asText()).isEqualTo("3.1.0");
        assertThat(doc.path("servers").get(0).path("url").asText()).isEqualTo("/api/v1");
    }
}
