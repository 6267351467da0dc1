package org.scepca.server.http;

import java.io.IOException;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/** Everything not mapped: a problem JSON 404 instead of a container page. */
public final class NotFoundServlet extends HttpServlet {
    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        Problem.send(resp, 404, "not-found", "Not found", "no resource at this path");
    }
}
