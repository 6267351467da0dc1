package org.scepca.server.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

import jakarta.servlet.http.HttpServletRequest;

/** Reads request bodies with a hard limit, refusing early on a declared length that is too large. */
final class Bodies {
    private Bodies() {
    }

    static final class TooLargeException extends IOException {
        TooLargeException() {
            super("request body too large");
        }
    }

    static byte[] read(HttpServletRequest req, int limit) throws IOException {
        long declared = req.getContentLengthLong();
        if (declared > limit) {
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
                    throw new TooLargeException();
                }
                out.write(buf, 0, n);
            }
        }
        return out.toByteArray();
    }
}
