package org.scepca.server.admin;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.lang.reflect.Proxy;
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
import org.scepca.server.app.Running;
import org.scepca.server.profiles.ProfileService;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.ObjectMapper;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Fuzzes the admin API's JSON request bodies below HTTP: each POST handler gets an admin identity and the fuzz input as
 * its body, read through the real {@link Exchange} with the server's strict mapper, against the fuzz CA's real store.
 * A handler may answer (2xx) or refuse with an {@link ApiException} of status 4xx (the servlet turns it into problem
 * JSON); any other exception would reach GuardFilter as a 500.
 *
 * <p>The request and response are minimal stand-ins (dynamic proxies) for the few servlet methods the handlers use;
 * any other method throws, so a handler that starts using one shows up here rather than passing silently. Routing,
 * authentication and Jetty itself are covered by HttpServerFuzzTest.adminPort.
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
        Response response = new Response();
        String outcome;
        try {
            route.handler().handle(new Exchange(request(contentType, body), response.proxy(), target.params(),
                    Optional.of(ADMIN), JSON));
            if (response.status < 200 || response.status > 299) {
                throw new AssertionError(target.path() + " answered " + response.status + " without an ApiException");
            }
            outcome = String.valueOf(response.status);
        } catch (ApiException e) {
            if (e.status() < 400 || e.status() > 499) {
                throw new AssertionError(target.path() + " refused with status " + e.status(), e);
            }
            outcome = e.status() + ":" + e.type();
        }
        FuzzStats.of("AdminBodiesFuzzTest.jsonBody").record(outcome);
    }

    private static HttpServletRequest request(String contentType, byte[] body) {
        ByteArrayInputStream in = new ByteArrayInputStream(body);
        ServletInputStream stream = new ServletInputStream() {
            @Override
            public int read() {
                return in.read();
            }

            @Override
            public int read(byte[] b, int off, int len) {
                return in.read(b, off, len);
            }

            @Override
            public boolean isFinished() {
                return in.available() == 0;
            }

            @Override
            public boolean isReady() {
                return true;
            }

            @Override
            public void setReadListener(ReadListener listener) {
                throw new UnsupportedOperationException();
            }
        };
        return (HttpServletRequest) Proxy.newProxyInstance(AdminBodiesFuzzTest.class.getClassLoader(),
                new Class<?>[] {HttpServletRequest.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getContentType", "getHeader" -> method.getName().equals("getHeader")
                            && !"Content-Type".equalsIgnoreCase((String) args[0]) ? null : contentType;
                    case "getContentLengthLong" -> (long) body.length;
                    case "getContentLength" -> body.length;
                    case "getInputStream" -> stream;
                    case "getParameter", "getParameterValues" -> null;
                    case "getServerName" -> "127.0.0.1";
                    default -> throw new UnsupportedOperationException("request." + method.getName());
                });
    }

    /** Collects status and body; headers are accepted and dropped. */
    private static final class Response {
        int status = 200;
        final ByteArrayOutputStream body = new ByteArrayOutputStream();

        HttpServletResponse proxy() {
            ServletOutputStream out = new ServletOutputStream() {
                @Override
                public void write(int b) {
                    body.write(b);
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setWriteListener(WriteListener listener) {
                    throw new UnsupportedOperationException();
                }
            };
            return (HttpServletResponse) Proxy.newProxyInstance(AdminBodiesFuzzTest.class.getClassLoader(),
                    new Class<?>[] {HttpServletResponse.class}, (proxy, method, args) -> {
                        switch (method.getName()) {
                            case "setStatus" -> status = (Integer) args[0];
                            case "getOutputStream" -> {
                                return out;
                            }
                            case "setHeader", "addHeader", "setContentType", "setCharacterEncoding", "setContentLength",
                                    "setContentLengthLong" -> {
                            }
                            default -> throw new UnsupportedOperationException("response." + method.getName());
                        }
                        return null;
                    });
        }
    }
}
