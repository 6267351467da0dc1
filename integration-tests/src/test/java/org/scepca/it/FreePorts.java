package org.scepca.it;

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
 */
public final class FreePorts {
    private static final int LOWEST = 20_000;
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    private FreePorts() {
    }

    /** A port no socket is bound to now, outside the kernel's ephemeral range, not returned before by this JVM. */
    public static int next() throws IOException {
        int highest = ephemeralLow() - 1;
        for (int attempt = 0; attempt < 1000; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(LOWEST, highest + 1);
            if (HANDED_OUT.contains(port) || !bindable(port)) {
                continue;
            }
            if (HANDED_OUT.add(port)) {
                return port;
            }
        }
        throw new IOException("no free port between " + LOWEST + " and " + highest + " after 1000 tries");
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
