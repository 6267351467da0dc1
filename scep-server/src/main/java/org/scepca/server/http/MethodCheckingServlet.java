package org.scepca.server.http;

import java.io.IOException;
import java.util.LinkedHashSet;
import java.util.Set;

import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * A servlet that answers a method it does not implement with 405, an {@code Allow} header naming the methods it does
 * (RFC 9110 §15.5.6: "MUST generate an Allow header field") and a problem document. {@link HttpServlet}'s own answer
 * is a bare {@code sendError(405)}: no Allow, and for PUT or DELETE no body at all.
 */
public abstract class MethodCheckingServlet extends HttpServlet {
    private final Set<String> methods = implemented(getClass());
    private final String allow = String.join(", ", methods);

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws ServletException, IOException {
        if ("OPTIONS".equals(req.getMethod())) {
            // HttpServlet's own answer would name TRACE, which GuardFilter refuses on every path.
            resp.setHeader("Allow", allow);
            resp.setStatus(HttpServletResponse.SC_NO_CONTENT);
            return;
        }
        if (!methods.contains(req.getMethod())) {
            resp.setHeader("Allow", allow);
            Problem.send(resp, 405, "method-not-allowed", "Method not allowed", "use " + allow);
            return;
        }
        super.service(req, resp);
    }

    /** The methods {@code type} implements: GET (and with it HEAD) for doGet, POST, PUT, DELETE; always OPTIONS. */
    static Set<String> implemented(Class<?> type) {
        Set<String> found = new LinkedHashSet<>();
        for (String[] m : new String[][] {{"doGet", "GET", "HEAD"}, {"doPost", "POST"}, {"doPut", "PUT"},
                {"doDelete", "DELETE"}}) {
            if (declaredBelowHttpServlet(type, m[0])) {
                for (int i = 1; i < m.length; i++) {
                    found.add(m[i]);
                }
            }
        }
        found.add("OPTIONS");
        return java.util.Collections.unmodifiableSet(found);
    }

    private static boolean declaredBelowHttpServlet(Class<?> type, String name) {
        for (Class<?> c = type; c != null && c != HttpServlet.class; c = c.getSuperclass()) {
            try {
                c.getDeclaredMethod(name, HttpServletRequest.class, HttpServletResponse.class);
                return true;
            } catch (NoSuchMethodException e) {
                // not here; look in the superclass
            }
        }
        return false;
    }
}
