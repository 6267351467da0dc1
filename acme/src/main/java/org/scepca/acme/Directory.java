package org.scepca.acme;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The directory of one ACME endpoint (RFC 8555 section 7.1.1), served at {@code BASE/directory} where BASE is
 * {@code <public base URL>/acme/NAME}. Resource URLs are absolute: clients sign them into the {@code url} header
 * (section 6.4), so every replica must derive the same ones from the configured public base URL, never from a Host
 * header.
 *
 * @param base                    {@code https://ca.example/acme/NAME}, without a trailing slash
 * @param termsOfService          the terms a client must agree to, if any
 * @param externalAccountRequired newAccount needs an external account binding (section 7.3.4)
 */
public record Directory(String base, Optional<String> termsOfService, boolean externalAccountRequired) {
    public Directory {
        Objects.requireNonNull(base, "base is null");
        Objects.requireNonNull(termsOfService, "termsOfService is null");
        if (base.endsWith("/") || !(base.startsWith("https://") || base.startsWith("http://"))) {
            throw new IllegalArgumentException("the ACME base URL must be absolute http(s) without a trailing slash");
        }
    }

    public String url(String resource) {
        return base + "/" + resource;
    }

    /** The directory object, in the order of section 7.1.1's example. */
    public Map<String, Object> toJson() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("newNonce", url("new-nonce"));
        d.put("newAccount", url("new-account"));
        d.put("newOrder", url("new-order"));
        d.put("revokeCert", url("revoke-cert"));
        d.put("keyChange", url("key-change"));
        Map<String, Object> meta = new LinkedHashMap<>();
        termsOfService.ifPresent(t -> meta.put("termsOfService", t));
        meta.put("externalAccountRequired", externalAccountRequired);
        d.put("meta", meta);
        return d;
    }
}
