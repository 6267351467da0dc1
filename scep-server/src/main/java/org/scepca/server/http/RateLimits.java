package org.scepca.server.http;

/**
 * Per-source limits on the public port (keys {@code limits.*} in scepca.properties, see ServerConfig). A source is a
 * client IP address (IPv6: its /64, which one host usually has whole). Cheap requests (GetCACaps, GetCACert, CRL, CA
 * files, OCSP) and PKIOperations have separate token buckets; PKIOperations also share a global concurrency cap,
 * so that a flood of them cannot take every thread from the cheap requests and OCSP.
 *
 * @param enabled                   false: no limits at all
 * @param perSourceRps              cheap requests per second per source, sustained
 * @param perSourceBurst            cheap requests a source may make at once
 * @param pkiPerSourceRps           PKIOperations per second per source, sustained
 * @param pkiPerSourceBurst         PKIOperations a source may make at once
 * @param maxConcurrentPkiOperations PKIOperations in progress at once, all sources together
 * @param exemptLoopback            127.0.0.0/8 and ::1 are not limited (local tools, the bench load test)
 * @param trustForwardedFor         take the source from the last X-Forwarded-For entry (only behind a proxy that sets
 *                                  it: otherwise any client could name itself)
 */
public record RateLimits(boolean enabled, int perSourceRps, int perSourceBurst, int pkiPerSourceRps, int pkiPerSourceBurst,
        int maxConcurrentPkiOperations, boolean exemptLoopback, boolean trustForwardedFor) {

    public RateLimits {
        positive("perSourceRps", perSourceRps);
        positive("pkiPerSourceRps", pkiPerSourceRps);
        positive("maxConcurrentPkiOperations", maxConcurrentPkiOperations);
        if (perSourceBurst < perSourceRps || pkiPerSourceBurst < pkiPerSourceRps) {
            throw new IllegalArgumentException("a burst must be at least its rate");
        }
    }

    /**
     * Generous for a fleet behind one NAT (a device makes three requests to enroll: GetCACaps, GetCACert,
     * PKIOperation; hundreds of devices starting at once still get in, the rest are told when to retry), tight enough
     * that one client cannot keep the CPU busy.
     */
    public static RateLimits defaults() {
        return new RateLimits(true, 100, 500, 20, 100, 32, true, false);
    }

    public static RateLimits off() {
        return new RateLimits(false, 1, 1, 1, 1, 1, true, false);
    }

    private static void positive(String name, int v) {
        if (v < 1) {
            throw new IllegalArgumentException(name + " must be at least 1");
        }
    }
}
