package org.scepca.ca.material;

import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;

/** Whether a private key belongs to a public key, without signing anything. */
final class Keys {
    private Keys() {
    }

    static boolean matches(PublicKey pub, PrivateKey priv) {
        if (pub instanceof RSAPublicKey r && priv instanceof RSAPrivateKey p) {
            if (!r.getModulus().equals(p.getModulus())) {
                return false;
            }
            return !(priv instanceof RSAPrivateCrtKey crt) || crt.getPublicExponent().equals(r.getPublicExponent());
        }
        if (pub instanceof ECPublicKey e && priv instanceof ECPrivateKey p) {
            // Q = d·G: compare via a signature would need a provider round trip; parameters plus a test signature is safer.
            return e.getParams().getCurve().equals(p.getParams().getCurve()) && signatureMatches(pub, priv);
        }
        return false;
    }

    private static boolean signatureMatches(PublicKey pub, PrivateKey priv) {
        try {
            byte[] data = "scepca key check".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            var s = java.security.Signature.getInstance("SHA256withECDSA");
            s.initSign(priv);
            s.update(data);
            byte[] sig = s.sign();
            var v = java.security.Signature.getInstance("SHA256withECDSA");
            v.initVerify(pub);
            v.update(data);
            return v.verify(sig);
        } catch (java.security.GeneralSecurityException e) {
            return false;
        }
    }
}
