package org.scepca.server.http;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Lets through only requests made on this machine, for admin endpoints that have no authentication of their own
 * yet. Anything else gets a 403 problem JSON. A request passes when all of these hold:
 *
 * <ul>
 *   <li>the peer address is a loopback address (127.0.0.0/8, ::1);
 *   <li>it carries no {@code Forwarded}, {@code X-Forwarded-For} or {@code X-Real-IP} header: a reverse proxy on
 *       this host (the nginx mTLS front end) connects from loopback on behalf of remote clients, and would otherwise
 *       make every outside request look local;
 *   <li>its {@code Host} is {@code localhost} or a loopback address: a web page the admin visits cannot use DNS
 *       rebinding to read a response (and the challenge in it) under its own name;
 *   <li>if the browser says where the request comes from ({@code Sec-Fetch-Site}), it is {@code none} (typed or
 *       bookmarked) or {@code same-origin}, so another site cannot make the admin's browser mint challenges.
 * </ul>
 *
 * The peer address is {@code getRemoteAddr()} of the connection: no forwarded-header customizer is installed, so it
 * cannot be spoofed by a header.
 */
public final class LoopbackOnlyFilter implements Filter {
    private static final List<String> FORWARDING_HEADERS = List.of("Forwarded", "X-Forwarded-For", "X-Real-IP");
    /** An IP literal only: {@link InetAddress#getByName} must never resolve a name here. */
    private static final Pattern IP_LITERAL = Pattern.compile("[0-9A-Fa-f:.]+(%[0-9A-Za-z]+)?");

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        HttpServletRequest req = (HttpServletRequest) request;
        HttpServletResponse resp = (HttpServletResponse) response;
        String refusal = refusal(req);
        if (refusal != null) {
            Problem.send(resp, 403, "local-only", "Forbidden", refusal);
            return;
        }
        chain.doFilter(request, response);
    }

    /** Why the request is refused, or null when it may pass. */
    static String refusal(HttpServletRequest req) {
        if (!isLoopback(req.getRemoteAddr())) {
            return "this endpoint answers only requests from the server's own machine";
        }
        for (String header : FORWARDING_HEADERS) {
            if (req.getHeader(header) != null) {
                return "this endpoint does not answer requests forwarded by a proxy";
            }
        }
        if (!isLocalHost(req.getServerName())) {
            return "this endpoint answers only requests addressed to localhost";
        }
        String site = req.getHeader("Sec-Fetch-Site");
        if (site != null && !site.equals("none") && !site.equals("same-origin")) {
            return "this endpoint does not answer requests made by other sites";
        }
        return null;
    }

    static boolean isLoopback(String address) {
        if (address == null) {
            return false;
        }
        String a = address.startsWith("[") && address.endsWith("]") ? address.substring(1, address.length() - 1) : address;
        if (!IP_LITERAL.matcher(a).matches()) {
            return false;
        }
        try {
            return InetAddress.getByName(a).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static boolean isLocalHost(String serverName) {
        if (serverName == null) {
            return false;
        }
        String host = serverName.toLowerCase(Locale.ROOT);
        return host.equals("localhost") || isLoopback(host);
    }
}
