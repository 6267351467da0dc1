package org.scepca.acme;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import org.scepca.acme.AcmeProblem.Type;

/**
 * Where server-side validation (http-01) may connect. An ACME client names the host, so without this rule a client
 * could make the CA probe the operator's own network (loopback admin ports, cloud metadata at 169.254.169.254,
 * private ranges). Addresses are resolved once and the connection goes to a checked address, never to the name
 * again (a second resolution could answer otherwise: DNS rebinding). Private targets are allowed only where the
 * endpoint says so ({@code endpoint.NAME.acme-allow-private-targets=true}: labs, tests).
 */
public final class Targets {
    /** Name resolution, replaceable in tests. */
    @FunctionalInterface
    public interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    private final boolean allowPrivate;
    private final Resolver resolver;

    public Targets(boolean allowPrivate, Resolver resolver) {
        this.allowPrivate = allowPrivate;
        this.resolver = Objects.requireNonNull(resolver, "resolver is null");
    }

    public Targets(boolean allowPrivate) {
        this(allowPrivate, InetAddress::getAllByName);
    }

    /**
     * The addresses of {@code host} validation may connect to.
     *
     * @throws AcmeProblem dns when the name does not resolve; connection when it resolves only to refused addresses
     */
    public List<InetAddress> resolve(String host) {
        InetAddress[] all;
        try {
            all = resolver.resolve(host);
        } catch (UnknownHostException e) {
            throw new AcmeProblem(Type.DNS, "no address found for " + host);
        }
        List<InetAddress> ok = new ArrayList<>();
        for (InetAddress a : all) {
            if (allowPrivate || !isPrivate(a)) {
                ok.add(a);
            }
        }
        if (ok.isEmpty()) {
            throw new AcmeProblem(Type.CONNECTION, host + " resolves only to loopback, private or link-local addresses,"
                    + " which this CA does not connect to");
        }
        return ok;
    }

    /**
     * Loopback, unspecified, private (RFC 1918, RFC 4193), link-local, carrier-grade NAT (RFC 6598), multicast and
     * reserved ranges; an IPv4-mapped IPv6 address is judged by its IPv4 address.
     */
    public static boolean isPrivate(InetAddress a) {
        if (a.isLoopbackAddress() || a.isAnyLocalAddress() || a.isLinkLocalAddress() || a.isSiteLocalAddress()
                || a.isMulticastAddress()) {
            return true;
        }
        byte[] b = a.getAddress();
        if (a instanceof Inet6Address) {
            if ((b[0] & 0xfe) == 0xfc) {
                return true; // fc00::/7 unique local
            }
            boolean mapped = true;
            for (int i = 0; i < 10; i++) {
                mapped &= b[i] == 0;
            }
            if (mapped && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff) {
                try {
                    return isPrivate(InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]}));
                } catch (UnknownHostException e) {
                    return true;
                }
            }
            return false;
        }
        if (a instanceof Inet4Address) {
            int first = b[0] & 0xff;
            int second = b[1] & 0xff;
            return first == 0 // this network
                    || (first == 100 && second >= 64 && second < 128) // 100.64.0.0/10 shared address space
                    || (first == 192 && second == 0 && (b[2] & 0xff) == 0) // 192.0.0.0/24 protocol assignments
                    || (first == 198 && (second == 18 || second == 19)) // 198.18.0.0/15 benchmarking
                    || first >= 240; // reserved and broadcast
        }
        return true;
    }
}
