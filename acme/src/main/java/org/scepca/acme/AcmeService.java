package org.scepca.acme;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.scepca.acme.AcmeProblem.Type;
import org.scepca.acme.JwsVerifier.KeyForm;

/**
 * The ACME core of one endpoint: (method, path below {@code /acme/NAME}, bounded body) in, {@link AcmeResponse} out,
 * no HTTP server here. This slice serves the directory, newNonce and accounts (newAccount with onlyReturnExisting,
 * POST-as-GET of an account, deactivation); orders, challenges, finalize and revocation come next. Every answer
 * carries a fresh Replay-Nonce (section 6.5), a problem too, so a client can retry a badNonce at once.
 */
public final class AcmeService {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Directory directory;
    private final NonceStore nonces;
    private final AccountStore accounts;
    private final JwsVerifier verifier;

    public AcmeService(Directory directory, NonceStore nonces, AccountStore accounts) {
        this.directory = Objects.requireNonNull(directory, "directory is null");
        this.nonces = Objects.requireNonNull(nonces, "nonces is null");
        this.accounts = Objects.requireNonNull(accounts, "accounts is null");
        this.verifier = new JwsVerifier(nonces, accounts);
    }

    /**
     * @param method HTTP method
     * @param path   the path below the endpoint's base, e.g. {@code directory}, {@code acct/ID}
     * @param body   the request body, already bounded by the adapter
     */
    public AcmeResponse handle(String method, String path, byte[] body) {
        try {
            return route(method, path, body);
        } catch (AcmeProblem p) {
            return AcmeResponse.problem(p, nonceHeaders());
        }
    }

    private AcmeResponse route(String method, String path, byte[] body) {
        if (path.equals("directory") && method.equals("GET")) {
            return AcmeResponse.json(200, directory.toJson(), Map.of());
        }
        if (path.equals("new-nonce")) {
            // Section 7.2: HEAD answers 200, GET 204; the nonce must not be cached.
            Map<String, String> h = nonceHeaders();
            h.put("Cache-Control", "no-store");
            h.put("Link", "<" + directory.url("directory") + ">;rel=\"index\"");
            if (method.equals("HEAD")) {
                return new AcmeResponse(200, h, new byte[0]);
            }
            if (method.equals("GET")) {
                return new AcmeResponse(204, h, new byte[0]);
            }
        }
        if (!method.equals("POST")) {
            throw new AcmeProblem(Type.MALFORMED, "ACME resources other than the directory and newNonce take POST");
        }
        if (path.equals("new-account")) {
            return newAccount(verifier.verify(body, directory.url(path), KeyForm.JWK));
        }
        if (path.startsWith("acct/")) {
            return account(path.substring("acct/".length()), verifier.verify(body, directory.url(path), KeyForm.KID));
        }
        throw new AcmeProblem(Type.MALFORMED, "no such ACME resource: " + path);
    }

    private AcmeResponse newAccount(JwsVerifier.Verified req) {
        JsonNode payload = payload(req);
        Optional<String> contact = contact(payload);
        AccountStore.Account account;
        if (payload.path("onlyReturnExisting").asBoolean(false)) {
            account = accounts.findByKey(req.key()).orElseThrow(() -> new AcmeProblem(Type.ACCOUNT_DOES_NOT_EXIST,
                    "no account for this key"));
        } else {
            account = accounts.findOrCreate(req.key(), contact);
        }
        if (account.status() != AccountStore.Status.VALID) {
            throw new AcmeProblem(Type.UNAUTHORIZED, "the account of this key is deactivated");
        }
        Map<String, String> h = nonceHeaders();
        h.put("Location", accounts.url(account.id()));
        return AcmeResponse.json(account.created() ? 201 : 200, accountJson(account), h);
    }

    private AcmeResponse account(String id, JwsVerifier.Verified req) {
        // Section 7.3: only the account itself reads or changes its resource.
        if (!req.accountUrl().orElseThrow().equals(accounts.url(id))) {
            throw new AcmeProblem(Type.UNAUTHORIZED, "an account can only read or change itself");
        }
        JsonNode payload = req.postAsGet() ? JSON.createObjectNode() : payload(req);
        if ("deactivated".equals(payload.path("status").asText(null))) {
            accounts.deactivate(id);
        }
        AccountStore.Account account = accounts.find(id).orElseThrow(
                () -> new AcmeProblem(Type.ACCOUNT_DOES_NOT_EXIST, "no such account"));
        return AcmeResponse.json(200, accountJson(account), nonceHeaders());
    }

    private Map<String, Object> accountJson(AccountStore.Account account) {
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("status", account.status() == AccountStore.Status.VALID ? "valid" : "deactivated");
        account.contact().ifPresent(c -> a.put("contact", List.of(c.split("\n"))));
        a.put("orders", accounts.url(account.id()) + "/orders");
        return a;
    }

    private static Optional<String> contact(JsonNode payload) {
        JsonNode c = payload.path("contact");
        if (c.isMissingNode() || c.isNull()) {
            return Optional.empty();
        }
        if (!c.isArray()) {
            throw new AcmeProblem(Type.MALFORMED, "contact must be an array of URLs");
        }
        StringBuilder s = new StringBuilder();
        for (JsonNode u : c) {
            if (!u.isTextual() || !u.asText().startsWith("mailto:") || u.asText().contains("\n")) {
                throw new AcmeProblem(Type.MALFORMED, "contact URLs must be mailto: URLs");
            }
            s.append(s.isEmpty() ? "" : "\n").append(u.asText());
        }
        return s.isEmpty() ? Optional.empty() : Optional.of(s.toString());
    }

    private static JsonNode payload(JwsVerifier.Verified req) {
        try {
            JsonNode n = JSON.readTree(req.payload());
            if (n == null || !n.isObject()) {
                throw new AcmeProblem(Type.MALFORMED, "the payload must be a JSON object");
            }
            return n;
        } catch (IOException e) {
            throw new AcmeProblem(Type.MALFORMED, "the payload is not JSON");
        }
    }

    private Map<String, String> nonceHeaders() {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Replay-Nonce", nonces.issue());
        return h;
    }
}
