package org.scepca.ca.material;

import java.net.URI;

/**
 * Where the server publishes the CA's certificates, CRLs and OCSP below {@code public-base-url}; these URLs go into
 * certificates (CRL distribution points, authority information access), so they never change.
 *
 * <p>The base URL should be {@code http://}: a relying party fetching a CRL or OCSP answer over TLS would have to
 * validate the server's certificate first, which may depend on the very revocation data it is fetching (RFC 5280
 * §4.2.1.13 and §4.2.2.1 expect HTTP, and CRLs and OCSP answers are signed, so TLS adds nothing).
 */
public final class PublicUrls {
    private PublicUrls() {
    }

    public static URI intermediateCrl(URI base) {
        return under(base, "/crl/intermediate.crl");
    }

    public static URI intermediateCertificate(URI base) {
        return under(base, "/ca/intermediate.cer");
    }

    public static URI ocsp(URI base) {
        return under(base, "/ocsp");
    }

    public static URI rootCrl(URI base) {
        return under(base, "/crl/root.crl");
    }

    public static URI rootCertificate(URI base) {
        return under(base, "/ca/root.cer");
    }

    private static URI under(URI base, String path) {
        String b = base.toString();
        return URI.create((b.endsWith("/") ? b.substring(0, b.length() - 1) : b) + path);
    }
}
