package org.scepca.server.http;

import java.nio.ByteBuffer;
import java.util.Map;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Errors Jetty answers itself, before any servlet runs (a path with bad UTF-8 percent-encoding, an ambiguous URI), as
 * problem JSON like every other error of ours. Jetty's default is an HTML page that echoes the request URI; a fuzz
 * target found it on both the public and the admin connector.
 */
public final class ProblemErrorHandler extends ErrorHandler {
    public ProblemErrorHandler() {
        setShowStacks(false);
        setShowMessageInTitle(false);
    }

    /**
     * Every method gets its problem document: Jetty's default writes an error body only for GET, POST and HEAD, so a
     * PUT or DELETE that a servlet refused went out with an empty body.
     */
    @Override
    public boolean errorPageForMethod(String method) {
        return true;
    }

    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
            Callback callback) {
        String type = switch (code) {
            case 400 -> "bad-request";
            case 404 -> "not-found";
            case 500 -> "internal";
            default -> "http-" + code;
        };
        String title = HttpStatus.getMessage(code);
        byte[] body = Problem.body(code, type, title == null ? "Error" : title, null, Map.of());
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, Problem.CONTENT_TYPE);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, ByteBuffer.wrap(body), callback);
    }
}
