package org.scepca.server.http;

import java.nio.ByteBuffer;
import java.util.Map;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpHeaderValue;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.SizeLimitHandler;
import org.eclipse.jetty.util.Callback;

/**
 * The hard cap on request bodies of a connector, in front of every servlet, refusing with a 413 the client actually
 * receives.
 *
 * <p>A body whose Content-Length is over the cap is refused at once, before a byte of it is read and without a
 * {@code 100 Continue}: a client that waits for one (RFC 9110 §10.1.1) stops there. But a client may send the body
 * anyway, after a timeout (curl waits one second) or without asking; had the server closed right after answering, the
 * kernel would reset the connection under those writes, and the client would report a send failure instead of the
 * 413. So the refusal is written first and the connection kept open while what the client sends is read and dropped,
 * up to {@link Bodies#DISCARD_LIMIT} bytes (and within the connector's idle timeout); then it is closed cleanly. A
 * body announced as larger than that is not waited for: its connection is closed after the answer.
 *
 * <p>A body without a Content-Length (chunked) cannot be refused up front. Each route reads its body through a bounded
 * reader whose limit is below this cap ({@link Bodies#read}, the admin API's own), which refuses it with that route's
 * 413 as soon as it grows past the limit and then reads and drops the rest in the same way, up to
 * {@link Bodies#DISCARD_LIMIT}. Jetty's {@link SizeLimitHandler}, which this handler wraps around the rest, is the
 * backstop for a reader that would not stop; it counts every byte read, those dropped after a refusal too, so it is
 * set no lower than the discard bound: set at the cap, it failed the drain of a chunked body past the cap, and the
 * connection was reset under the client still sending, which lost the 413 (a broken pipe in
 * {@code ScepEndToEndTest#aChunkedBodyOverTheCapIsRefused_andTheClientThatKeepsSendingGetsTheRefusal}).
 */
public final class BodyLimitHandler extends Handler.Wrapper {
    private final long limit;

    public BodyLimitHandler(long limit, Handler next) {
        this.limit = limit;
        SizeLimitHandler streaming = new SizeLimitHandler(Math.max(limit, Bodies.DISCARD_LIMIT), -1);
        streaming.setHandler(next);
        setHandler(streaming);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        long declared = request.getLength();
        if (declared <= limit) {
            return super.handle(request, response, callback);
        }
        byte[] body = Problem.body(413, "request-too-large", "Request too large",
                "the body may be at most " + limit + " bytes", Map.of());
        response.setStatus(413);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, Problem.CONTENT_TYPE);
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.getHeaders().put(HttpHeader.CONNECTION, HttpHeaderValue.CLOSE.asString());
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        if (declared > Bodies.DISCARD_LIMIT) {
            response.write(true, ByteBuffer.wrap(body), callback);
            return true;
        }
        // The whole answer goes out now; the exchange ends once the body is drained (or the client goes away).
        response.write(false, ByteBuffer.wrap(body), Callback.from(
                () -> Content.Source.consumeAll(request, Callback.from(
                        () -> response.write(true, null, callback), callback::failed)),
                callback::failed));
        return true;
    }
}
