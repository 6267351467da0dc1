package org.scepca.server.app;

import java.time.Duration;
import java.util.Objects;

/**
 * Transport settings. Defaults suit a SCEP endpoint on the open network: small bodies, short idle timeouts, no
 * server version in headers.
 *
 * @param host            bind address (0.0.0.0 for every interface)
 * @param port            0 picks a free port (tests)
 * @param maxMessageBytes largest SCEP message accepted (a 4096-bit PKCSReq is about 5 KiB)
 * @param maxRequestBytes hard cap on any request body, checked by Jetty before a servlet reads it
 * @param idleTimeout     connection idle timeout
 * @param maxThreads      request threads
 */
public record ServerConfig(String host, int port, int maxMessageBytes, int maxRequestBytes, Duration idleTimeout,
        int maxThreads) {
    public ServerConfig {
        Objects.requireNonNull(host, "host is null");
        Objects.requireNonNull(idleTimeout, "idleTimeout is null");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be between 0 and 65535");
        }
        if (maxMessageBytes < 1024 || maxRequestBytes < maxMessageBytes) {
            throw new IllegalArgumentException("maxMessageBytes must be >= 1024 and <= maxRequestBytes");
        }
    }

    public static ServerConfig defaults(String host, int port) {
        return new ServerConfig(host, port, 64 * 1024, 256 * 1024, Duration.ofSeconds(30), 64);
    }
}
