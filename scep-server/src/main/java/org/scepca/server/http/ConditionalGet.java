package org.scepca.server.http;

import org.scepca.ca.pem.Pem;

import jakarta.servlet.http.HttpServletRequest;

/**
 * Validators and conditional GET for the public CA files (RFC 9110 §8.8, §13): a strong entity tag from the body's
 * SHA-256, and the decision whether a request's {@code If-None-Match} lets the server answer 304 Not Modified. A
 * relying party that polls the CRL every few minutes then gets a few hundred bytes back instead of the whole list
 * until it changes.
 */
final class ConditionalGet {
    private ConditionalGet() {
    }

    /** A strong entity tag for {@code body}: 128 bits of its SHA-256, quoted. */
    static String etag(byte[] body) {
        return '"' + Pem.sha256Hex(body).substring(0, 32) + '"';
    }

    /**
     * True when the client's copy is current, so a GET or HEAD may be answered 304 (RFC 9110 §13.2.2):
     * {@code If-None-Match} names {@code etag} (weak comparison, §8.8.3.2) or is {@code *}.
     *
     * <p>{@code If-Modified-Since} is not honoured: a CRL's Last-Modified is its thisUpdate, to the second, and two CRLs
     * can be published within one second (two revocations), or by replicas whose clocks differ by a second or two; a
     * date comparison would then tell a relying party that still holds the older list that nothing changed. The entity
     * tag names the exact bytes. A client that sends only a date gets the full answer, which is always safe.
     */
    static boolean notModified(HttpServletRequest req, String etag) {
        String method = req.getMethod();
        if (!"GET".equals(method) && !"HEAD".equals(method)) {
            return false;
        }
        var noneMatch = req.getHeaders("If-None-Match");
        if (noneMatch == null) {
            return false;
        }
        String ours = opaque(etag);
        while (noneMatch.hasMoreElements()) {
            for (String candidate : noneMatch.nextElement().split(",")) {
                String tag = candidate.strip();
                if (tag.equals("*") || opaque(tag).equals(ours)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The opaque-tag of an entity-tag: without a weak prefix {@code W/} (weak comparison). */
    private static String opaque(String tag) {
        return tag.startsWith("W/") ? tag.substring(2) : tag;
    }
}
