package org.scepca.ca.endpoint;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** What may authorise a first enrollment on an endpoint (renewals are authorised by the certificate they renew). */
public enum Authorization {
    /** One-time challenges minted for this endpoint by an operator (CLI, API, console). */
    ONE_TIME("one-time"),
    /** The endpoint's static challenge (one secret for a whole fleet; prefer one-time or jamf). */
    STATIC("static"),
    /** One-time challenges minted for this endpoint by Jamf Pro's SCEPChallenge webhook, bound to the event's device. */
    JAMF("jamf"),
    /** Intune's own challenge, validated with Intune's SCEP validation API for every request. */
    INTUNE("intune"),
    /** No challenge: every request waits for an operator's approval. */
    NONE("none"),
    /**
     * An ACME endpoint ({@code protocol=acme}): orders are authorised by ACME challenges (RFC 8555 section 8), never
     * by a SCEP challenge password. Set by the protocol key, not by {@code auth}.
     */
    ACME("acme");

    private final String id;

    Authorization(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    public static Optional<Authorization> of(String id) {
        return Arrays.stream(values()).filter(a -> a.id.equals(id.strip().toLowerCase(Locale.ROOT))).findFirst();
    }
}
