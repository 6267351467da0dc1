package org.scepca.intune;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

import org.scepca.intune.IntuneUnavailableException.Kind;

/**
 * Where Intune's services are for this tenant, as Graph lists them
 * ({@code GET {graph}/v1.0/servicePrincipals/appId=0000000a-0000-0000-c000-000000000000/endpoints}), kept for a while.
 * Intune moves tenants between scale units: a 401 or 404 from a discovered URI drops the cache (see IntuneClient).
 */
final class ServiceDirectory {
    private final Duration ttl;
    private final Clock clock;
    private final Supplier<Map<String, URI>> fetch;
    private Map<String, URI> byProvider;
    private Instant fetchedAt;

    /** @param fetch asks Graph; keys are provider names in lower case (Microsoft's clients match them that way) */
    ServiceDirectory(Duration ttl, Clock clock, Supplier<Map<String, URI>> fetch) {
        this.ttl = ttl;
        this.clock = clock;
        this.fetch = fetch;
    }

    /**
     * The service's base URI. Callers wait for one fetch at a time, which is bounded by the HTTP timeouts.
     *
     * @throws IntuneUnavailableException (DISCOVERY) if Graph does not list the service
     */
    synchronized URI endpoint(IntuneService service) {
        Instant now = clock.instant();
        if (byProvider == null || !now.isBefore(fetchedAt.plus(ttl))) {
            byProvider = Map.copyOf(fetch.get());
            fetchedAt = now;
        }
        URI uri = byProvider.get(service.providerName.toLowerCase(Locale.ROOT));
        if (uri == null) {
            throw new IntuneUnavailableException(Kind.DISCOVERY, "Graph lists no " + service.providerName
                    + " endpoint for this tenant (Intune licence, or the app's Application.Read.All permission?)");
        }
        return uri;
    }

    /** Forget what was discovered: the next call asks Graph again. */
    synchronized void invalidate() {
        byProvider = null;
    }
}
