package org.scepca.intune;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodySubscriber;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import javax.net.ssl.SSLContext;

import org.scepca.intune.IntuneUnavailableException.Kind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One HTTPS exchange with Graph or Intune, bounded in time (connect and whole-exchange timeout) and in size (the
 * response body is cut off at {@value #MAX_BODY} bytes). Transient failures come out as {@link Transient}; the caller
 * decides what a status means. Never logs headers or bodies: they hold the bearer token and the device's CSR.
 */
final class IntuneHttp {
    private static final Logger LOG = LoggerFactory.getLogger(IntuneHttp.class);
    /** Intune's answers are a few hundred bytes; a revocation download of 500 requests stays well below this. */
    static final int MAX_BODY = 1024 * 1024;
    static final String USER_AGENT = "scepca/" + version() + " (Intune SCEP validation)";

    private final HttpClient client;
    private final Duration timeout;
    private final Clock clock;

    IntuneHttp(SSLContext ssl, Duration timeout, Clock clock) {
        this.timeout = timeout;
        this.clock = clock;
        this.client = HttpClient.newBuilder().sslContext(ssl).connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** A status and a body that fitted the limit. */
    record Reply(int status, byte[] body, Optional<Duration> retryAfter, UUID clientRequestId) {
        boolean ok() {
            return status >= 200 && status < 300;
        }
    }

    /** A request with the headers every call carries: a fresh client-request-id, the bearer token, our User-Agent. */
    static HttpRequest.Builder request(URI uri, String token, UUID clientRequestId) {
        return HttpRequest.newBuilder(uri)
                .header("Authorization", "Bearer " + token)
                .header("client-request-id", clientRequestId.toString())
                .header("Accept", "application/json")
                .header("User-Agent", USER_AGENT);
    }

    /**
     * Sends and waits at most the timeout for the status and the whole body.
     *
     * @throws Transient on timeout or transport failure
     * @throws IntuneUnavailableException (PROTOCOL) if the body is larger than the limit
     */
    Reply send(HttpRequest.Builder builder, UUID clientRequestId) {
        HttpRequest request = builder.timeout(timeout).build();
        String what = request.method() + " " + request.uri().getHost() + request.uri().getPath();
        long start = System.nanoTime();
        CompletableFuture<HttpResponse<byte[]>> future = client.sendAsync(request, info -> limited(MAX_BODY));
        try {
            HttpResponse<byte[]> r = future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            LOG.debug("{} -> {} in {} ms (client-request-id {})", what, r.statusCode(),
                    (System.nanoTime() - start) / 1_000_000, clientRequestId);
            return new Reply(r.statusCode(), r.body(), retryAfter(r, clock.instant()), clientRequestId);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw timedOut(what);
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new IntuneUnavailableException(Kind.TRANSPORT, "interrupted while waiting for " + what);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof BodyTooLarge) {
                throw new IntuneUnavailableException(Kind.PROTOCOL, what + " answered more than " + MAX_BODY + " bytes");
            }
            if (cause instanceof HttpTimeoutException) {
                throw timedOut(what);
            }
            LOG.debug("{} failed (client-request-id {})", what, clientRequestId, cause);
            throw new Transient(Kind.TRANSPORT, what + " failed: " + cause.getClass().getSimpleName(), cause);
        }
    }

    private Transient timedOut(String what) {
        return new Transient(Kind.TIMEOUT, what + " timed out after " + timeout.toMillis() + " ms", null);
    }

    /** Retry-After as seconds or an HTTP date (RFC 9110 §10.2.3); absent, unparsable or past: empty. */
    static Optional<Duration> retryAfter(HttpResponse<?> r, Instant now) {
        Optional<String> v = r.headers().firstValue("Retry-After").map(String::strip);
        if (v.isEmpty()) {
            return Optional.empty();
        }
        try {
            long seconds = Long.parseLong(v.get());
            return seconds < 0 ? Optional.empty() : Optional.of(Duration.ofSeconds(seconds));
        } catch (NumberFormatException e) {
            try {
                Duration d = Duration.between(now, ZonedDateTime.parse(v.get(), DateTimeFormatter.RFC_1123_DATE_TIME));
                return d.isNegative() ? Optional.of(Duration.ZERO) : Optional.of(d);
            } catch (DateTimeParseException e2) {
                return Optional.empty();
            }
        }
    }

    /** The body, up to {@code max} bytes; beyond that the exchange is cancelled. */
    static BodySubscriber<byte[]> limited(int max) {
        return new BodySubscriber<>() {
            private final CompletableFuture<byte[]> result = new CompletableFuture<>();
            private final ByteArrayOutputStream out = new ByteArrayOutputStream();
            private Flow.Subscription subscription;

            @Override
            public CompletionStage<byte[]> getBody() {
                return result;
            }

            @Override
            public void onSubscribe(Flow.Subscription s) {
                subscription = s;
                s.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(List<ByteBuffer> items) {
                for (ByteBuffer b : items) {
                    if (result.isDone()) {
                        return;
                    }
                    if (out.size() + b.remaining() > max) {
                        subscription.cancel();
                        result.completeExceptionally(new BodyTooLarge());
                        return;
                    }
                    byte[] chunk = new byte[b.remaining()];
                    b.get(chunk);
                    out.write(chunk, 0, chunk.length);
                }
            }

            @Override
            public void onError(Throwable t) {
                result.completeExceptionally(t);
            }

            @Override
            public void onComplete() {
                result.complete(out.toByteArray());
            }
        };
    }

    private static final class BodyTooLarge extends IOException {
        BodyTooLarge() {
            super("response body too large");
        }
    }

    private static String version() {
        String v = IntuneHttp.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
