package org.scepca.server.http;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.function.LongSupplier;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Applies {@link RateLimits} on the public port before a servlet reads a body or decrypts anything: over budget is
 * 503 with Retry-After (RFC 9110 §15.6.4), which SCEP clients treat as "try later". Token buckets per source, refilled
 * continuously; idle sources are forgotten, and the table is bounded (past its size, new sources share one bucket).
 */
public final class RateLimitFilter implements Filter {
    static final int MAX_SOURCES = 100_000;
    private static final long NANOS = 1_000_000_000L;
    private static final String SHARED = "(overflow)";

    private final RateLimits limits;
    private final LongSupplier nanoTime;
    private final java.util.function.IntSupplier replicas;
    private final Map<String, TokenBucket> cheap = new ConcurrentHashMap<>();
    private final Map<String, TokenBucket> pki = new ConcurrentHashMap<>();
    private final Semaphore pkiInProgress;
    private long lastSweep;

    public RateLimitFilter(RateLimits limits, LongSupplier nanoTime) {
        this(limits, nanoTime, () -> 1);
    }

    /**
     * @param replicas how many server replicas share the budgets (live ones on the shared database): each enforces
     *     its share, so that a source a load balancer spreads over all of them gets the configured rate in all
     */
    public RateLimitFilter(RateLimits limits, LongSupplier nanoTime, java.util.function.IntSupplier replicas) {
        this.replicas = Objects.requireNonNull(replicas, "replicas is null");
        this.limits = Objects.requireNonNull(limits, "limits is null");
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime is null");
        this.pkiInProgress = new Semaphore(limits.maxConcurrentPkiOperations());
        this.lastSweep = nanoTime.getAsLong();
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
        HttpServletRequest request = (HttpServletRequest) req;
        HttpServletResponse response = (HttpServletResponse) res;
        if (!limits.enabled()) {
            chain.doFilter(req, res);
            return;
        }
        InetAddress source = source(request);
        if (limits.exemptLoopback() && source != null && source.isLoopbackAddress()) {
            chain.doFilter(req, res);
            return;
        }
        String key = key(source, request.getRemoteAddr());
        long now = nanoTime.getAsLong();
        sweep(now);
        boolean pkiOperation = isPkiOperation(request);
        int n = Math.max(1, replicas.getAsInt());
        long wait = pkiOperation
                ? bucket(pki, key).take(now, (double) limits.pkiPerSourceRps() / n, share(limits.pkiPerSourceBurst(), n))
                : bucket(cheap, key).take(now, (double) limits.perSourceRps() / n, share(limits.perSourceBurst(), n));
        if (wait > 0) {
            refuse(response, wait, "too many requests from this address");
            return;
        }
        if (!pkiOperation) {
            chain.doFilter(req, res);
            return;
        }
        if (!pkiInProgress.tryAcquire()) {
            refuse(response, 1, "the server is busy");
            return;
        }
        try {
            chain.doFilter(req, res);
        } finally {
            pkiInProgress.release();
        }
    }

    /** A replica's share of a burst: never below one request, or a source could be refused forever. */
    static int share(int burst, int replicas) {
        return Math.max(1, (burst + replicas - 1) / replicas);
    }

    private static void refuse(HttpServletResponse response, long seconds, String detail) throws IOException {
        response.setHeader("Retry-After", Long.toString(seconds));
        // The body is not read: close the connection rather than drain it.
        response.setHeader("Connection", "close");
        Problem.send(response, 503, "rate-limited", "Service unavailable", detail + "; retry after " + seconds + " s");
    }

    /**
     * PKIOperation by its query parameter, read from the raw query string: getParameter would read a form body; and
     * EST's simpleenroll and simplereenroll, which sign as much. Everything else on this port is cheap (GetCACaps,
     * GetCACert, cacerts, csrattrs, CRL and CA files, OCSP, health).
     */
    static boolean isPkiOperation(HttpServletRequest request) {
        String uri = request.getRequestURI();
        if (uri != null && uri.startsWith(EstServlet.PATH + "/") && uri.endsWith("enroll")) {
            return true;
        }
        String q = request.getQueryString();
        if (q == null) {
            return false;
        }
        for (String part : q.split("&")) {
            if (part.regionMatches(true, 0, "operation=PKIOperation", 0, "operation=PKIOperation".length())
                    && part.length() == "operation=PKIOperation".length()) {
                return true;
            }
        }
        return false;
    }

    private InetAddress source(HttpServletRequest request) {
        String address = request.getRemoteAddr();
        if (limits.trustForwardedFor()) {
            String xff = request.getHeader("X-Forwarded-For");
            if (xff != null && !xff.isBlank()) {
                // The last entry is the one our proxy added; earlier ones are whatever the client claimed.
                String[] hops = xff.split(",");
                address = hops[hops.length - 1].strip();
            }
        }
        return literal(address);
    }

    /** Parses an IP literal without a DNS lookup; null if it is not one. */
    private static InetAddress literal(String address) {
        if (address == null) {
            return null;
        }
        String a = address.strip().replace("[", "").replace("]", "");
        boolean v4 = a.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
        boolean v6 = a.contains(":") && a.matches("[0-9A-Fa-f:.]{2,45}");
        if (!v4 && !v6) {
            return null;
        }
        try {
            return InetAddress.getByName(a); // a literal: no name lookup
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /** IPv4 address, or the /64 of an IPv6 address. */
    private static String key(InetAddress source, String fallback) {
        if (source == null) {
            return "?" + fallback;
        }
        byte[] b = source.getAddress();
        if (b.length == 16) {
            return java.util.HexFormat.of().formatHex(Arrays.copyOf(b, 8)) + "::/64";
        }
        return source.getHostAddress();
    }

    private static TokenBucket bucket(Map<String, TokenBucket> buckets, String key) {
        TokenBucket b = buckets.get(key);
        if (b != null) {
            return b;
        }
        return buckets.computeIfAbsent(buckets.size() >= MAX_SOURCES ? SHARED : key, k -> new TokenBucket());
    }

    /** Forgets sources idle for a minute (their buckets are full again), at most once a minute. */
    private void sweep(long now) {
        synchronized (this) {
            if (now - lastSweep < 60 * NANOS) {
                return;
            }
            lastSweep = now;
        }
        cheap.values().removeIf(b -> b.idleSince(now, 60 * NANOS));
        pki.values().removeIf(b -> b.idleSince(now, 60 * NANOS));
    }

    int trackedSources() {
        return cheap.size() + pki.size();
    }
}
