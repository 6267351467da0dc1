package org.scepca.acme;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.Payload;

/** Builds flattened JWS request bodies as ACME clients send them (RFC 8555 section 6.2), for the tests. */
final class TestJws {
    private TestJws() {
    }

    static byte[] sign(JWSHeader header, String payload, JWSSigner signer) throws Exception {
        JWSObject jws = new JWSObject(header, new Payload(payload));
        jws.sign(signer);
        return flattened(header.toBase64URL().toString(), jws.getPayload().toBase64URL().toString(),
                jws.getSignature().toString());
    }

    static byte[] flattened(String protectedPart, String payload, String signature) {
        return ("{\"protected\":\"" + protectedPart + "\",\"payload\":\"" + payload + "\",\"signature\":\""
                + signature + "\"}").getBytes(StandardCharsets.UTF_8);
    }

    static String b64(String s) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }
}
