package org.scepca.ca.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ports for servers a test starts in another process (scepca serve, nginx, certbot's standalone server).
 *
 * <p>Asking the kernel for port 0 and closing the socket hands out a port from the ephemeral range, the same range the
 * kernel draws every outgoing connection's local port and every later bind(0) from (H2's AUTO_SERVER, the HTTP clients
 * of the test itself): between the close and the server's bind, any of those can take it, and the server then fails
 * with "address in use" (a CI run lost a crash test to exactly that). So the ports come from below the ephemeral range
 * instead, where the kernel never allocates on its own; each is checked free on every address, and never handed out
 * twice by this JVM.
 *
 * <p>Test JVMs run side by side (surefire and failsafe fork {@code scepca.test.forks} of them, numbered by
 * {@code scepca.test.fork} from 1): each draws from a slice of the range of its own, so that two of them cannot hand out
 * the same port between the check and the bind either.
 */
public final class FreePorts {
    private static final int LOWEST = 20_000;
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    private FreePorts() {
    }

    /** A port no socket is bound to now, outside the kernel's ephemeral range, not returned before by this JVM. */
    public static int next() throws IOException {
        int[] slice = slice(ephemeralLow(), Integer.getInteger("scepca.test.fork", 1),
                Integer.getInteger("scepca.test.forks", 1));
        int lowest = slice[0];
        int highest = slice[1];
        for (int attempt = 0; attempt < 1000; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(lowest, highest + 1);
            if (HANDED_OUT.contains(port) || !bindable(port)) {
                continue;
            }
            if (HANDED_OUT.add(port)) {
                return port;
            }
        }
        throw new IOException("no free port between " + lowest + " and " + highest + " after 1000 tries");
    }

    /**
     * The first and last port of fork {@code fork} of {@code forks} (from 1), below {@code ephemeralLow}; the whole
     * range when the numbers make no sense (not forked, or run by hand).
     */
    static int[] slice(int ephemeralLow, int fork, int forks) {
        int highest = ephemeralLow - 1;
        if (forks < 2 || fork < 1 || fork > forks) {
            return new int[] {LOWEST, highest};
        }
        int width = (highest - LOWEST + 1) / forks;
        int first = LOWEST + (fork - 1) * width;
        return new int[] {first, fork == forks ? highest : first + width - 1};
    }

    static boolean bindable(int port) {
        for (InetAddress address : new InetAddress[] {null, InetAddress.getLoopbackAddress()}) {
            try (ServerSocket s = new ServerSocket()) {
                s.setReuseAddress(false);
                s.bind(address == null ? new InetSocketAddress(port) : new InetSocketAddress(address, port));
            } catch (IOException e) {
                return false;
            }
        }
        return true;
    }

    /** The first port of /proc/sys/net/ipv4/ip_local_port_range; Linux's default 32768 where it cannot be read. */
    static int ephemeralLow() {
        try {
            String[] range = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).strip().split("\\s+");
            int low = Integer.parseInt(range[0]);
            return low > LOWEST + 1000 ? low : 32768;
        } catch (IOException | RuntimeException e) {
            return 32768;
        }
    }
}
