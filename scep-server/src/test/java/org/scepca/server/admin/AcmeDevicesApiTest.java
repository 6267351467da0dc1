package org.scepca.server.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.scepca.acme.attest.DeviceAllowList;

/**
 * The device-attest-01 allow-list through the admin API over real HTTP on a real server and H2 store: viewers read,
 * admins change, each change is in the database when the 2xx arrives and writes one audit line per device.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AcmeDevicesApiTest {
    @TempDir
    static Path dir;
    private AdminTestServer server;
    private AdminHttp http;
    private String admin;
    private String viewer;

    @BeforeAll
    void start() throws Exception {
        server = new AdminTestServer(dir);
        http = server.http;
        admin = server.admin;
        viewer = server.viewer;
    }

    @AfterAll
    void stop() {
        server.close();
    }

    private DeviceAllowList store() {
        return new DeviceAllowList(server.running.ca().database(), server.running.ca().clock());
    }

    private List<String> auditLines(String op) {
        return server.audit.lines().stream().filter(l -> l.contains("op=" + op + " ")).toList();
    }

    @Test
    void adminAdds_viewerLists_adminRemoves_eachChangeDurableAndAudited() {
        var added = http.post("/api/v1/acme/default/devices", admin,
                "{\"devices\":[\"c02xl0ghjgh5\",\"00008030-001A2D3E0C38802E\",\"C02XL0GHJGH5\"]}");
        assertThat(added.status()).as(added.text()).isEqualTo(200);
        assertThat(added.json().path("added").toString())
                .isEqualTo("[\"C02XL0GHJGH5\",\"00008030-001A2D3E0C38802E\"]");
        assertThat(added.json().path("alreadyListed").asInt()).isZero();
        // In the database when the 200 arrived (another replica's reader sees it).
        assertThat(store().contains("default", "C02XL0GHJGH5")).isTrue();
        assertThat(auditLines("acme-device-add")).hasSize(2)
                .allSatisfy(l -> assertThat(l).contains("acme_endpoint=default").contains("actor=token:alice")
                        .contains("outcome=added"))
                .anySatisfy(l -> assertThat(l).contains("device=C02XL0GHJGH5"));

        var again = http.post("/api/v1/acme/default/devices", admin, "{\"devices\":[\"C02XL0GHJGH5\"]}");
        assertThat(again.json().path("added").size()).isZero();
        assertThat(again.json().path("alreadyListed").asInt()).isEqualTo(1);

        var list = http.get("/api/v1/acme/default/devices", viewer);
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.json().path("items").findValuesAsText("device"))
                .containsExactly("00008030-001A2D3E0C38802E", "C02XL0GHJGH5");
        assertThat(list.json().path("items").get(0).path("addedBy").asText()).isEqualTo("token:alice");

        assertThat(http.delete("/api/v1/acme/default/devices/c02xl0ghjgh5", admin).status()).isEqualTo(204);
        assertThat(store().contains("default", "C02XL0GHJGH5")).isFalse();
        assertThat(auditLines("acme-device-remove")).singleElement().satisfies(l -> assertThat(l)
                .contains("device=C02XL0GHJGH5").contains("outcome=removed"));
        var gone = http.delete("/api/v1/acme/default/devices/C02XL0GHJGH5", admin);
        assertThat(gone.status()).isEqualTo(404);
    }

    @Test
    void refusals_roleValidationUnknownEndpoint() {
        assertThat(http.post("/api/v1/acme/default/devices", viewer, "{\"devices\":[\"F2LXK1ABCDEF\"]}").status())
                .isEqualTo(403);
        assertThat(http.delete("/api/v1/acme/default/devices/F2LXK1ABCDEF", viewer).status()).isEqualTo(403);
        assertThat(http.get("/api/v1/acme/default/devices", null).status()).isEqualTo(401);

        var bad = http.post("/api/v1/acme/default/devices", admin, "{\"devices\":[\"F2LXK1ABCDEF\",\"not one\"]}");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.problemType()).isEqualTo("validation");
        assertThat(store().contains("default", "F2LXK1ABCDEF")).as("all or none").isFalse();
        assertThat(http.post("/api/v1/acme/default/devices", admin, "{\"devices\":[]}").status()).isEqualTo(400);
        assertThat(http.post("/api/v1/acme/default/devices", admin, "{\"devices\":[null]}").status()).isEqualTo(400);
        assertThat(http.post("/api/v1/acme/default/devices", admin, "{\"serials\":[\"A1\"]}").status())
                .isEqualTo(400);

        assertThat(http.post("/api/v1/acme/nope/devices", admin, "{\"devices\":[\"F2LXK1ABCDEF\"]}").status())
                .isEqualTo(404);
        assertThat(http.get("/api/v1/acme/NOT_A_NAME/devices", viewer).status()).isEqualTo(404);
        assertThat(http.delete("/api/v1/acme/default/devices/bad%20id", admin).status()).isEqualTo(400);
        assertThat(auditLines("acme-device-add")).noneSatisfy(l -> assertThat(l).contains("F2LXK1ABCDEF"));
    }
}
