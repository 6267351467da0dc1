package org.scepca.server.http;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.scepca.acme.AccountStore;
import org.scepca.acme.AcmeIssuer;
import org.scepca.acme.AcmeResponse;
import org.scepca.acme.AcmeService;
import org.scepca.acme.ChallengeValidator;
import org.scepca.acme.Directory;
import org.scepca.acme.Dns01Validator;
import org.scepca.acme.Identifier;
import org.scepca.acme.NonceStore;
import org.scepca.acme.OrderStore;
import org.scepca.acme.attest.AppleDeviceAttestation;
import org.scepca.acme.attest.DeviceAllowList;
import org.scepca.acme.attest.DeviceAttest01Validator;
import org.scepca.acme.attest.DevicePolicy;
import org.scepca.ca.CertificateAuthority;
import org.scepca.ca.endpoint.AcmeOptions;
import org.scepca.fuzz.FuzzCa;
import org.scepca.fuzz.FuzzStats;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;

/**
 * Fuzzes the ACME endpoint's request decoding (RFC 8555 section 6.2: flattened JWS, protected header, payload) in
 * {@link AcmeService#handle}, the core {@link AcmeServlet} hands every request to once it has checked the content type
 * and bounded the body (AcmeHttpTest covers those). The service runs on the fuzz CA's store and ACME endpoint, with
 * challenge validation on the calling thread so that what a fuzzed challenge response does is seen by this target:
 * device-attest-01 verifies attestation objects against Apple's real root, dns-01 looks up no TXT record (a fuzz run
 * must not send DNS queries; the decoder is the subject here, not the resolver).
 *
 * <p>Every answer must be a well-formed ACME answer: a problem document ({@code application/problem+json}) with an
 * {@code urn:ietf:params:acme:error:} type and a 4xx status, never {@code serverInternal}/500 (an exception the core
 * did not expect); or a 2xx JSON/PEM answer. Nothing may be issued: no authorization can be validated here (no DNS, no
 * attestation under Apple's root), so a challenge, authorization or order that reports {@code valid} is a finding.
 */
class AcmeRequestFuzzTest {
    static final ObjectMapper JSON = new ObjectMapper();
    /** The resources byte 0 picks; the fresh-* ones create a new order first, so their challenge is still pending. */
    static final List<String> PATHS = List.of("new-account", "new-order", "key-change", "revoke-cert", "acct",
            "acct-orders", "order", "finalize", "authz", "chall", "fresh-dns-chall", "fresh-attest-chall",
            "fresh-finalize", "new-nonce", "directory", "cert");

    private static AcmeService acme;
    /** The service's own order store and challenge validators: fresh orders are made with them (see fresh()). */
    private static OrderStore orders;
    private static Map<String, ChallengeValidator> validators;
    private static String base;
    private static ECKey accountKey;
    private static ECKey newKey;
    private static String kid;
    private static JsonNode order;
    private static String authzUrl;
    private static String challUrl;
    /**
     * What signedRequest sends to the resources an answer may change: an account of its own (for account updates and
     * key rollover) and fresh orders' challenges and finalize URLs. Each is kept until an answer is a 2xx; a refusal
     * (4xx) changes nothing, and most inputs are refused, so most of them need no new account or order (creating one
     * is a durable write and was a third of this target's time).
     */
    private static ECKey ownKey;
    private static String ownKid;
    private static final Map<String, String> FRESH = new java.util.HashMap<>();
    /** See {@link #nonce()}. */
    private static String nextNonce;

    @BeforeAll
    static void start() throws Exception {
        CertificateAuthority ca = FuzzCa.get().running().ca();
        acme = service(ca);
        base = acme.directory().base();
        accountKey = new ECKeyGenerator(Curve.P_256).generate();
        newKey = new ECKeyGenerator(Curve.P_256).generate();
        kid = register(accountKey);
        order = newOrder("{\"identifiers\":[{\"type\":\"dns\",\"value\":\"fuzz.test\"}]}");
        authzUrl = order.path("authorizations").get(0).asText();
        challUrl = challenge(authzUrl);
    }

    /** The fuzz CA's ACME endpoint as AcmeEndpoints builds it, but validating on the caller's thread. */
    private static AcmeService service(CertificateAuthority ca) {
        var e = ca.endpoints().get(FuzzCa.ACME_ENDPOINT);
        AcmeOptions o = e.acme().orElseThrow();
        Clock clock = Clock.systemUTC();
        SecureRandom random = new SecureRandom();
        Directory directory = new Directory(o.base(e.name()), o.termsOfService().map(Object::toString), false);
        validators = new LinkedHashMap<>();
        validators.put("dns-01", new Dns01Validator(name -> List.of()));
        validators.put("device-attest-01", new DeviceAttest01Validator(new AppleDeviceAttestation(clock),
                DevicePolicy.parse(o.devicePolicy()), new DeviceAllowList(ca.database(), clock)));
        orders = new OrderStore(ca.database(), e.name(), clock, random);
        return new AcmeService(e.name(), directory, new NonceStore(ca.database(), clock, java.time.Duration.ofMinutes(30),
                random), new AccountStore(ca.database(), directory, e.name(), clock, random), orders, validators,
                new AcmeIssuer(ca.engineFor(e.name()), ca.revocation(), ca.certificates(),
                        List.of(ca.material().intermediateCertificate())), Runnable::run, clock);
    }

    /**
     * Any bytes as the POST body of one of the endpoint's resources: the flattened-JWS parser and everything before
     * the signature check. Byte 0 picks the resource, the rest is the body.
     */
    @FuzzTest(maxDuration = "60s")
    @Timeout(20)
    void jwsBody(byte[] input) throws Exception {
        if (input.length < 1) {
            return;
        }
        String path = path(input[0]);
        byte[] body = Arrays.copyOfRange(input, 1, input.length);
        // The shared account's resources (a fresh order per input is signedRequest's business, not needed here).
        String target = resolve(path.startsWith("fresh-") ? path.substring(path.lastIndexOf('-') + 1) : path);
        record("AcmeRequestFuzzTest.jwsBody", path, acme.handle("POST", target, body));
    }

    /**
     * Correctly signed requests (ES256 by a real account key) with fuzzed protected headers and payloads, so that the
     * fuzzer gets past the signature check into every resource's payload decoding: accounts, orders and identifiers,
     * finalize's CSR, revocation, key rollover's inner JWS, challenge responses and device-attest-01's {@code attObj}.
     *
     * <p>Input layout: byte 0 picks the resource; byte 1 the header: bits 0-1 kid / jwk / both / neither, bit 2 a
     * stale nonce instead of a fresh one, bit 3 a wrong url, bits 4-5 alg ES256 / RS256 / none / ES384 (the signature
     * stays ES256), bits 6-7 the payload: as is / {@code {"attObj": base64url(rest)}} / wrapped in a key-change inner
     * JWS signed by a new key / empty (POST-as-GET). The rest: raw protected-header members to append, a 0 byte, the
     * payload; in the payload {@code @acct@} stands for the account URL and {@code @oldkey@} for its public JWK. The
     * account and key-change resources are sent by an account of their own (a new one after each 2xx), the rest by one
     * shared account; the fresh-* resources belong to an order that no earlier input changed.
     */
    @FuzzTest(maxDuration = "60s")
    @Timeout(20)
    void signedRequest(byte[] input) throws Exception {
        if (input.length < 2) {
            return;
        }
        String path = path(input[0]);
        int flags = input[1] & 0xff;
        // Rolling the key over or deactivating the account would lock the shared account out for every later input:
        // those resources get an account of their own.
        boolean own = path.equals("acct") || path.equals("key-change");
        if (own && ownKid == null) {
            ownKey = new ECKeyGenerator(Curve.P_256).generate();
            ownKid = register(ownKey);
        }
        ECKey signer = own ? ownKey : accountKey;
        String signerKid = own ? ownKid : kid;
        byte[] rest = Arrays.copyOfRange(input, 2, input.length);
        int zero = indexOf(rest, (byte) 0);
        byte[] extra = zero < 0 ? new byte[0] : Arrays.copyOfRange(rest, 0, zero);
        byte[] payload = zero < 0 ? rest : Arrays.copyOfRange(rest, zero + 1, rest.length);
        payload = ascii(new String(payload, StandardCharsets.UTF_8).replace("@acct@", signerKid)
                .replace("@oldkey@", signer.toPublicJWK().toJSONString()));
        switch ((flags >> 6) & 3) {
            case 1 -> payload = ascii("{\"attObj\":\"" + b64url(payload) + "\"}");
            case 2 -> payload = jws(header(newKey, true, null, "key-change"), payload, newKey);
            case 3 -> payload = new byte[0];
            default -> {
            }
        }
        ObjectNode h = JSON.createObjectNode();
        h.put("alg", switch ((flags >> 4) & 3) {
            case 1 -> "RS256";
            case 2 -> "none";
            case 3 -> "ES384";
            default -> "ES256";
        });
        int key = flags & 3;
        if (key == 0 || key == 2) {
            h.put("kid", signerKid);
        }
        if (key == 1 || key == 2) {
            h.set("jwk", JSON.readTree(signer.toPublicJWK().toJSONString()));
        }
        h.put("nonce", (flags & 4) != 0 ? "c3RhbGUtbm9uY2U" : nonce());
        String target = path.equals("acct") ? below(signerKid) : path.startsWith("fresh-") ? fresh(path) : resolve(path);
        h.put("url", (flags & 8) != 0 ? "http://elsewhere.test/" + target : base + "/" + target);
        byte[] protectedHeader = JSON.writeValueAsBytes(h);
        if (extra.length > 0) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            b.write(protectedHeader, 0, protectedHeader.length - 1);
            b.write(',');
            b.writeBytes(extra);
            b.write('}');
            protectedHeader = b.toByteArray();
        }
        AcmeResponse answer = acme.handle("POST", target, jws(protectedHeader, payload, signer));
        nextNonce = answer.headers().get("Replay-Nonce");
        if (answer.status() / 100 == 2) {
            if (own) {
                ownKid = null;
            }
            FRESH.remove(path);
        }
        record("AcmeRequestFuzzTest.signedRequest", path, answer);
    }

    /**
     * A fresh-* resource: a new order's, or the one kept from an earlier input that was refused (see FRESH). The new
     * order is made as newOrder makes it (the same store call, the challenge types the validators offer) but without
     * the two signed requests around it (newOrder, then POST-as-GET of the authorization): a fuzz run spends many of
     * its inputs on a fresh order's device-attest-01 challenge, each accepted one needs a new order, and the requests
     * that made it were most of such an input's time. newOrder itself stays fuzzed through the new-order resource.
     */
    private static String fresh(String name) throws Exception {
        String target = FRESH.get(name);
        if (target == null) {
            target = switch (name) {
                case "fresh-dns-chall" -> "chall/" + firstChallenge(newOrderInStore(Identifier.DNS, "fresh.fuzz.test"));
                case "fresh-attest-chall" -> "chall/" + firstChallenge(newOrderInStore(Identifier.PERMANENT,
                        "FUZZSERIAL01"));
                case "fresh-finalize" -> "order/" + newOrderInStore(Identifier.DNS, "fin.fuzz.test").id() + "/finalize";
                default -> throw new IllegalArgumentException(name);
            };
            FRESH.put(name, target);
        }
        return target;
    }

    /** A pending order of the shared account for one identifier, as AcmeService.newOrder stores it. */
    private static OrderStore.Order newOrderInStore(String type, String value) {
        Identifier id = new Identifier(type, value);
        List<String> types = validators.values().stream().filter(v -> v.supports(id)).map(ChallengeValidator::type)
                .toList();
        return orders.create(kid.substring(kid.lastIndexOf('/') + 1), List.of(id), List.of(types),
                AcmeService.ORDER_LIFETIME);
    }

    private static String firstChallenge(OrderStore.Order order) {
        return orders.authorization(order.authorizationIds().get(0)).orElseThrow().challenges().get(0).id();
    }

    private static String path(byte b) {
        return PATHS.get((b & 0xff) % PATHS.size());
    }

    /** The path below the endpoint's base that {@code name} stands for. */
    private static String resolve(String name) throws Exception {
        return switch (name) {
            case "acct" -> below(kid);
            case "acct-orders" -> below(kid) + "/orders";
            case "order" -> below(order.path("finalize").asText()).replace("/finalize", "");
            case "finalize" -> below(order.path("finalize").asText());
            case "authz" -> below(authzUrl);
            case "chall" -> below(challUrl);
            case "cert" -> "cert/" + "0".repeat(8);
            default -> name;
        };
    }

    private static String below(String url) {
        if (!url.startsWith(base + "/")) {
            throw new IllegalStateException("not one of our URLs: " + url);
        }
        return url.substring(base.length() + 1);
    }

    /** newAccount with {@code key}; its account URL (the kid). */
    private static String register(ECKey key) throws Exception {
        AcmeResponse r = acme.handle("POST", "new-account", jws(header(key, true, nonce(), "new-account"),
                ascii("{\"termsOfServiceAgreed\":true}"), key));
        if (r.status() != 201) {
            throw new IllegalStateException("fuzz account not created: " + r.bodyText());
        }
        return r.headers().get("Location");
    }

    private static JsonNode newOrder(String payload) throws Exception {
        AcmeResponse r = send("new-order", header(accountKey, false, nonce(), "new-order"), ascii(payload));
        if (r.status() != 201) {
            throw new IllegalStateException("fuzz order not created: " + r.bodyText());
        }
        return JSON.readTree(r.body());
    }

    private static String challenge(String authz) throws Exception {
        String path = below(authz);
        AcmeResponse r = send(path, header(accountKey, false, nonce(), path), new byte[0]);
        return JSON.readTree(r.body()).path("challenges").get(0).path("url").asText();
    }

    /**
     * The Replay-Nonce of signedRequest's last answer, as a client uses it (RFC 8555 section 7.2: every answer carries
     * a fresh one), else a new one from newNonce. One database write less per input, and no orphaned nonce per answer.
     */
    private static String nonce() {
        String next = nextNonce;
        nextNonce = null;
        return next != null ? next : acme.handle("HEAD", "new-nonce", new byte[0]).headers().get("Replay-Nonce");
    }

    /** A protected header as real clients send it: ES256, jwk (or kid), nonce (omitted if null), url. */
    private static byte[] header(ECKey key, boolean jwk, String nonce, String path) throws Exception {
        ObjectNode h = JSON.createObjectNode().put("alg", "ES256");
        if (jwk) {
            h.set("jwk", JSON.readTree(key.toPublicJWK().toJSONString()));
        } else {
            h.put("kid", kid);
        }
        if (nonce != null) {
            h.put("nonce", nonce);
        }
        h.put("url", base + "/" + path);
        return JSON.writeValueAsBytes(h);
    }

    private static AcmeResponse send(String path, byte[] protectedHeader, byte[] payload) throws Exception {
        return acme.handle("POST", path, jws(protectedHeader, payload, accountKey));
    }

    /** A flattened JWS (RFC 7515 section 7.2.2) over the exact header and payload bytes, signed ES256 by {@code key}. */
    static byte[] jws(byte[] protectedHeader, byte[] payload, ECKey key) throws Exception {
        String p = b64url(protectedHeader);
        String q = b64url(payload);
        String sig = new ECDSASigner(key).sign(new JWSHeader(JWSAlgorithm.ES256), ascii(p + "." + q)).toString();
        return ascii("{\"protected\":\"" + p + "\",\"payload\":\"" + q + "\",\"signature\":\"" + sig + "\"}");
    }

    /** The oracle: a well-formed ACME answer, no internal error, nothing validated or issued. */
    private static void record(String target, String path, AcmeResponse r) throws Exception {
        String type = r.headers().getOrDefault("Content-Type", "");
        String outcome;
        if (type.startsWith("application/problem+json")) {
            JsonNode problem = JSON.readTree(r.body());
            String t = problem.path("type").asText();
            if (!t.startsWith("urn:ietf:params:acme:error:") || t.endsWith(":serverInternal") || r.status() < 400
                    || r.status() > 499 || problem.path("status").asInt() != r.status()) {
                throw new AssertionError(path + " answered " + r.status() + " " + r.bodyText());
            }
            if (!r.headers().containsKey("Replay-Nonce")) {
                throw new AssertionError(path + " refused without a Replay-Nonce (RFC 8555 section 6.5)");
            }
            outcome = r.status() + ":" + t.substring("urn:ietf:params:acme:error:".length());
        } else {
            if (r.status() < 200 || r.status() > 299) {
                throw new AssertionError(path + " answered " + r.status() + " without a problem document");
            }
            if (type.startsWith("application/json")) {
                JsonNode json = JSON.readTree(r.body());
                if (json.path("status").asText().equals("valid") && (json.has("token") || json.has("identifier")
                        || json.has("certificate"))) {
                    throw new AssertionError(path + " reports valid without a validated authorization: "
                            + r.bodyText());
                }
            } else if (r.body().length > 0) {
                throw new AssertionError(path + " answered " + r.status() + " with Content-Type " + type);
            }
            outcome = String.valueOf(r.status());
        }
        FuzzStats.of(target).record(path + ":" + outcome);
    }

    private static int indexOf(byte[] a, byte b) {
        for (int i = 0; i < a.length; i++) {
            if (a[i] == b) {
                return i;
            }
        }
        return -1;
    }

    static String b64url(byte[] b) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
