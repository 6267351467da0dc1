package org.scepca.ca.events;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.HexFormat;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HMAC-SHA256 over {@code "<timestamp>.<body>"} with the shared secret: the signed-timestamp scheme of Stripe's and
 * GitHub's webhooks, so that a receiver can refuse a replayed delivery by its age. The key never leaves this object.
 */
public final class WebhookSigner {
    static final String ALGORITHM = "HmacSHA256";
    private final SecretKeySpec key;

    WebhookSigner(byte[] secret) {
        if (secret.length < WebhookConfig.MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("the webhook secret must have at least " + WebhookConfig.MIN_SECRET_BYTES
                    + " bytes");
        }
        this.key = new SecretKeySpec(secret, ALGORITHM);
        Arrays.fill(secret, (byte) 0);
    }

    /** The {@code X-Scepca-Signature} value: {@code sha256=} and the lower-case hex HMAC. */
    public String signature(long timestampSeconds, byte[] body) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            mac.update((timestampSeconds + ".").getBytes(StandardCharsets.US_ASCII));
            return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e); // every JDK has it
        }
    }

    @Override
    public String toString() {
        return "WebhookSigner[secret=***]";
    }
}
