package org.scepca.intune;

import java.net.MalformedURLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.SSLContext;

import org.scepca.ca.config.CaConfig.InvalidConfigException;
import org.scepca.intune.IntuneConfig.ClientCertificate;
import org.scepca.intune.IntuneConfig.ClientSecret;
import org.scepca.intune.IntuneUnavailableException.Kind;

import com.microsoft.aad.msal4j.ClientCredentialFactory;
import com.microsoft.aad.msal4j.ClientCredentialParameters;
import com.microsoft.aad.msal4j.ConfidentialClientApplication;
import com.microsoft.aad.msal4j.IAuthenticationResult;
import com.microsoft.aad.msal4j.IClientCredential;
import com.microsoft.aad.msal4j.MsalServiceException;

/**
 * App-only tokens from Entra ID (OAuth 2.0 client credentials) through MSAL4J. Two scopes are used: Graph for
 * discovery, the Intune resource for the services. Tokens are reused until five minutes before they expire.
 *
 * <p>Why a small cache over MSAL's own: MSAL4J 1.26.1 files an app token under the authority's host without the
 * port ({@code preferredCache}) but looks it up under host:port, so with an authority that has an explicit port
 * (a gateway, the test fake) its cache never hits and every call would cost a token request. Keyed by scope here,
 * reuse does not depend on how MSAL spells the environment.
 *
 * <p>{@code instanceDiscovery(false)}: MSAL otherwise asks the public cloud's login.microsoftonline.com about any
 * authority host it does not know, which a national cloud (or a test fake) must not need. Internal retries are off
 * so that the one Retry policy of {@link IntuneClient} bounds the time spent.
 */
final class EntraTokens implements AutoCloseable {
    /** MSAL's own margin (TokenCache.MIN_ACCESS_TOKEN_EXPIRE_IN_SEC): a token this close to expiry is not used. */
    static final Duration RENEW_BEFORE_EXPIRY = Duration.ofMinutes(5);

    private final ConfidentialClientApplication app;
    private final ExecutorService executor;
    private final Duration timeout;
    private final Clock clock;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    private record Cached(String token, Instant renewAt) {
    }

    EntraTokens(IntuneConfig config, SSLContext ssl, Clock clock) {
        this.timeout = config.timeout();
        this.clock = clock;
        AtomicInteger n = new AtomicInteger();
        this.executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "intune-token-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        IClientCredential credential = config.credential() instanceof ClientCertificate c
                ? ClientCredentialFactory.createFromCertificateChain(c.key(), c.chain())
                : ClientCredentialFactory.createFromSecret(((ClientSecret) config.credential()).value());
        int ms = (int) config.timeout().toMillis();
        try {
            this.app = ConfidentialClientApplication.builder(config.clientId(), credential)
                    .authority(config.authority())
                    .instanceDiscovery(false)
                    .sslSocketFactory(ssl.getSocketFactory())
                    .connectTimeoutForDefaultHttpClient(ms)
                    .readTimeoutForDefaultHttpClient(ms)
                    .disableInternalRetries()
                    .executorService(executor)
                    .logPii(false)
                    .build();
        } catch (MalformedURLException e) {
            executor.shutdownNow();
            throw new InvalidConfigException("intune.login-url and intune.tenant-id do not make a valid authority: "
                    + config.authority());
        }
    }

    /**
     * A bearer token for {@code scope}: the last one while it has more than five minutes left, else a new one.
     *
     * @param renew skip the cache (after a 401 from a service: the cached token was not accepted)
     * @throws Transient on timeout, transport failure, 5xx or 429 from the login service
     * @throws IntuneUnavailableException (TOKEN) when Entra refuses (wrong secret, unknown client, no consent)
     */
    String token(String scope, boolean renew) {
        Cached c = cache.get(scope);
        if (!renew && c != null && clock.instant().isBefore(c.renewAt())) {
            return c.token();
        }
        IAuthenticationResult r = acquire(scope, renew);
        cache.put(scope, new Cached(r.accessToken(), r.expiresOnDate().toInstant().minus(RENEW_BEFORE_EXPIRY)));
        return r.accessToken();
    }

    private IAuthenticationResult acquire(String scope, boolean renew) {
        ClientCredentialParameters params = ClientCredentialParameters.builder(Set.of(scope)).skipCache(renew).build();
        CompletableFuture<IAuthenticationResult> future = app.acquireToken(params);
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new Transient(Kind.TIMEOUT, "token request timed out after " + timeout.toMillis() + " ms", null);
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new IntuneUnavailableException(Kind.TOKEN, "interrupted while waiting for a token");
        } catch (ExecutionException e) {
            throw classify(e.getCause());
        }
    }

    private static RuntimeException classify(Throwable cause) {
        if (cause instanceof MsalServiceException s && s.statusCode() != null) {
            int status = s.statusCode();
            if (status >= 500 || status == 429) {
                return new Transient(Kind.TOKEN, "token request failed: HTTP " + status, null);
            }
            // invalid_client (wrong secret or certificate), unauthorized_client, invalid_scope (no consent): an
            // administrator must act; only the OAuth error code is kept (the description holds trace ids).
            return new IntuneUnavailableException(Kind.TOKEN, "Entra refused the token request: HTTP " + status + " "
                    + s.errorCode());
        }
        // MsalClientException and the like: mostly I/O (connection refused, read timeout) under MSAL's wrapper.
        return new Transient(Kind.TOKEN, "token request failed: " + rootCause(cause), cause);
    }

    private static String rootCause(Throwable t) {
        Throwable r = t;
        while (r.getCause() != null && r.getCause() != r) {
            r = r.getCause();
        }
        return r.getClass().getSimpleName();
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
