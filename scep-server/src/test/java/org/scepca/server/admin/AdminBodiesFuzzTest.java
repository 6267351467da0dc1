package org.scepca.server.admin;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.scepca.ca.testing.TestPki;
import org.scepca.ca.tokens.AdminRole;
import org.scepca.fuzz.FuzzCa;
import org.scepca.fuzz.FuzzStats;
import org.scepca.fuzz.ServletStandIns;
import org.scepca.server.app.Running;
import org.scepca.server.profiles.ProfileService;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.ObjectMapper;


/**
 * Fuzzes the admin API's JSON request bodies below HTTP: each POST handler gets an admin identity and the fuzz input as
 * its body, read through the real {@link Exchange} with the server's strict mapper, against the fuzz CA's real store.
 * A handler may answer (2xx) or refuse with an {@link ApiException} of status 4xx (the servlet turns it into problem
 * JSON); any other exception would reach GuardFilter as a 500.
 *
 * <p>The request and response are {@link ServletStandIns}. Routing, authentication and Jetty itself are covered by
 * HttpServerFuzzTest.adminPort.
 *
 * <p>Input layout: byte 0 picks the route, byte 1 the Content-Type, the rest is the body.
 */
class AdminBodiesFuzzTest {
    private static final List<String> CONTENT_TYPES = Arrays.asList("application/json", "application/json; charset=utf-8",
            "text/plain", null, "application/x-www-form-urlencoded");

    private record Target(String method, String path, Map<String, String> params) {
    }

    private static List<Target> targets;
    private static List<Route> routes;
    private static final ObjectMapper JSON = AdminServer.jsonMapper();
    private static final AdminIdentity ADMIN = new AdminIdentity("fuzz", AdminRole.ADMIN, AdminIdentity.Source.TOKEN);

    @BeforeAll
    static void start() {
        FuzzCa ca = FuzzCa.get();
        Running running = ca.running();
        routes = AdminServer.routes(running.ca(), Optional.of(ProfileService.create(running.ca(), running.scep(),
                TestPki.PASSPHRASE)), running::port);
        String serial = ca.issuedSerial().toString(16);
        targets = List.of(
                new Target("POST", "/challenges", Map.of()),
                new Target("POST", "/certificates/{serial}/revoke", Map.of("serial", serial)),
                new Target("POST", "/requests/{transactionId}/approve", Map.of("transactionId", "fuzz-unknown")),
                new Target("POST", "/requests/{transactionId}/reject", Map.of("transactionId", "fuzz-unknown")),
                new Target("POST", "/profiles/{preset}", Map.of("preset", "generic")),
                new Target("POST", "/profiles/{preset}", Map.of("preset", "jamf")),
                new Target("POST", "/profiles/{preset}", Map.of("preset", "intune")),
                new Target("POST", "/jamf/scep-challenge", Map.of()),
                // Issue 14's routes: bulk revocation, token creation, batch profiles. Byte 0 picks the route modulo
                // the list's size, so the regression inputs now spread over these too.
                new Target("POST", "/certificates/revoke", Map.of()),
                new Target("POST", "/tokens", Map.of()),
                new Target("POST", "/profiles/batch", Map.of()));
    }

    @FuzzTest(maxDuration = "60s")
    @Timeout(20)
    void jsonBody(byte[] input) throws Exception {
        if (input.length < 2) {
            return;
        }
        Target target = targets.get((input[0] & 0xff) % targets.size());
        String contentType = CONTENT_TYPES.get((input[1] & 0xff) % CONTENT_TYPES.size());
        byte[] body = Arrays.copyOfRange(input, 2, input.length);
        Route route = routes.stream().filter(r -> r.method().equals(target.method()) && r.path().equals(target.path()))
                .findFirst().orElseThrow();
        ServletStandIns.Response response = new ServletStandIns.Response();
        String outcome;
        try {
            Map<String, String> headers = contentType == null ? Map.of() : Map.of("Content-Type", contentType);
            route.handler().handle(new Exchange(ServletStandIns.request("POST", null, false, headers, body),
                    response.proxy(), target.params(), Optional.of(ADMIN), JSON));
            if (response.status() < 200 || response.status() > 299) {
                throw new AssertionError(target.path() + " answered " + response.status() + " without an ApiException");
            }
            outcome = String.valueOf(response.status());
        } catch (ApiException e) {
            if (e.status() < 400 || e.status() > 499) {
                throw new AssertionError(target.path() + " refused with status " + e.status(), e);
            }
            outcome = e.status() + ":" + e.type();
        }
        FuzzStats.of("AdminBodiesFuzzTest.jsonBody").record(outcome);
    }
}
