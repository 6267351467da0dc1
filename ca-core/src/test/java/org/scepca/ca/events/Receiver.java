package org.scepca.ca.events;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A webhook receiver on 127.0.0.1 (JDK HTTP server, port 0): records every delivery, answers with scripted statuses
 * (then 200), and can hang until released.
 */
final class Receiver implements AutoCloseable {
    record Delivery(Map<String, String> headers, String body) {
        String header(String name) {
            return headers.get(name.toLowerCase(java.util.Locale.ROOT));
        }
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final Deque<Integer> statuses = new ArrayDeque<>();
    final List<Delivery> deliveries = new CopyOnWriteArrayList<>();
    /** Counted down as each request arrives (before any hang). */
    private volatile CountDownLatch arrivals = new CountDownLatch(0);
    /** While its count is 1, every request waits for it. */
    private volatile CountDownLatch hang = new CountDownLatch(0);

    Receiver(Integer... statuses) throws IOException {
        this.statuses.addAll(List.of(statuses));
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(executor);
        server.createContext("/hook", this::handle);
        server.start();
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hook");
    }

    /** The next {@code n} requests count down the returned latch. */
    CountDownLatch expect(int n) {
        arrivals = new CountDownLatch(n);
        return arrivals;
    }

    CountDownLatch hangRequests() {
        hang = new CountDownLatch(1);
        return hang;
    }

    private void handle(HttpExchange ex) throws IOException {
        byte[] body;
        try (InputStream in = ex.getRequestBody()) {
            body = in.readAllBytes();
        }
        Map<String, String> headers = new TreeMap<>();
        ex.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(java.util.Locale.ROOT), v.get(0)));
        deliveries.add(new Delivery(headers, new String(body, StandardCharsets.UTF_8)));
        arrivals.countDown();
        try {
            hang.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        int status;
        synchronized (statuses) {
            status = statuses.isEmpty() ? 200 : statuses.poll();
        }
        ex.sendResponseHeaders(status, -1);
        ex.close();
    }

    @Override
    public void close() {
        hang.countDown();
        server.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
