package org.scepca.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The peer address cannot be anything but loopback on a test machine, so the non-loopback cases use a mocked request
 * (the rest of the filter runs on a real Jetty in {@link ProfileServletTest}).
 */
class LoopbackOnlyFilterTest {

    private static HttpServletRequest request(String remoteAddr, String serverName) {
        HttpServletRequest req = mock(HttpServletRequest.class);
        when(req.getRemoteAddr()).thenReturn(remoteAddr);
        when(req.getServerName()).thenReturn(serverName);
        return req;
    }

    @ParameterizedTest(name = "fail/{0}")
    @ValueSource(strings = {"192.0.2.10", "10.0.0.1", "2001:db8::1", "::ffff:192.0.2.10", "localhost", "127.0.0.1.example.com", ""})
    void nonLoopbackPeerGets403ProblemAndNeverReachesTheServlet(String remoteAddr) throws Exception {
        HttpServletRequest req = request(remoteAddr, "127.0.0.1");
        HttpServletResponse resp = mock(HttpServletResponse.class);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        when(resp.getOutputStream()).thenReturn(new ServletOutputStream() {
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
            }
        });
        FilterChain chain = mock(FilterChain.class);

        new LoopbackOnlyFilter().doFilter(req, resp, chain);

        verify(chain, never()).doFilter(req, resp);
        verify(resp).setStatus(403);
        verify(resp).setContentType(Problem.CONTENT_TYPE);
        assertThat(body.toString(StandardCharsets.UTF_8)).contains("\"status\":403", "local-only")
                .doesNotContain(remoteAddr.isEmpty() ? "\u0000" : remoteAddr);
    }

    @ParameterizedTest(name = "ok/{0}")
    @ValueSource(strings = {"127.0.0.1", "127.1.2.3", "::1", "0:0:0:0:0:0:0:1", "[::1]"})
    void loopbackPeerAddressedToLocalhostPasses(String remoteAddr) throws Exception {
        for (String host : new String[] {"localhost", "127.0.0.1", "[::1]", "LOCALHOST"}) {
            HttpServletRequest req = request(remoteAddr, host);
            HttpServletResponse resp = mock(HttpServletResponse.class);
            FilterChain chain = mock(FilterChain.class);
            new LoopbackOnlyFilter().doFilter(req, resp, chain);
            verify(chain).doFilter(req, resp);
        }
    }

    @Test
    void forwardedRebindingAndCrossSiteRequestsAreRefusedEvenFromLoopback() {
        HttpServletRequest forwarded = request("127.0.0.1", "localhost");
        when(forwarded.getHeader("Forwarded")).thenReturn("for=198.51.100.7");
        assertThat(LoopbackOnlyFilter.refusal(forwarded)).contains("proxy");

        HttpServletRequest realIp = request("127.0.0.1", "localhost");
        when(realIp.getHeader("X-Real-IP")).thenReturn("198.51.100.7");
        assertThat(LoopbackOnlyFilter.refusal(realIp)).contains("proxy");

        assertThat(LoopbackOnlyFilter.refusal(request("127.0.0.1", "attacker.example"))).contains("localhost");

        HttpServletRequest crossSite = request("127.0.0.1", "localhost");
        when(crossSite.getHeader("Sec-Fetch-Site")).thenReturn("same-site");
        assertThat(LoopbackOnlyFilter.refusal(crossSite)).contains("other sites");

        HttpServletRequest typed = request("127.0.0.1", "localhost");
        when(typed.getHeader("Sec-Fetch-Site")).thenReturn("none");
        assertThat(LoopbackOnlyFilter.refusal(typed)).isNull();
    }
}
