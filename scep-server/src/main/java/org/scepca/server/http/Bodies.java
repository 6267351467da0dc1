package org.scepca.server.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

import jakarta.servlet.http.HttpServletRequest;

/** Reads request bodies with a hard limit, refusing early on a declared length that is too large. */
public final class Bodies {
    /**
     * How much of a refused body is read and dropped so the refusal arrives. Closing a connection with request bytes
     * still unread makes the kernel reset it, and a client that is still sending then loses the 413 with it. Beyond
     * this much the connection is simply closed.
     */
    static final long DISCARD_LIMIT = 1024 * 1024;

    private Bodies() {
    }

    /** Reads and drops what is left of a refused body, up to {@link #DISCARD_LIMIT} bytes; never throws. */
    public static void discardRest(HttpServletRequest req) {
        long declared = req.getContentLengthLong();
        if (declared > DISCARD_LIMIT) {
            return;
        }
        try {
            InputStream in = req.getInputStream();
            byte[] buf = new byte[8192];
            long total = 0;
            int n;
            while (total < DISCARD_LIMIT && (n = in.read(buf)) > 0) {
                total += n;
            }
        } catch (IOException | RuntimeException e) {
            // the client went away: nothing to answer
        }
    }

    static final class TooLargeException extends IOException {
        TooLargeException() {
            super("request body too large");
        }
    }

    static byte[] read(HttpServletRequest req, int limit) throws IOException {
        long declared = req.getContentLengthLong();
        if (declared > limit) {
            discardRest(req);
            throw new TooLargeException();
        }
        if (declared > 0) {
            // The usual case (every SCEP client sends Content-Length): one exact read, no buffer copies.
            try (InputStream in = req.getInputStream()) {
                byte[] body = in.readNBytes((int) declared);
                if (body.length < declared) {
                    throw new IOException("request body shorter than its Content-Length");
                }
                return body;
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(4096);
        byte[] buf = new byte[8192];
        try (InputStream in = req.getInputStream()) {
            int n;
            while ((n = in.read(buf)) > 0) {
                if (out.size() + n > limit) {
                    discardRest(req);
                    throw new TooLargeException();
                }
                out.write(buf, 0, n);
            }
        }
        return out.toByteArray();
    }
}
