package org.scepca.fuzz;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.TreeMap;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Minimal stand-ins (dynamic proxies) for the few servlet methods the fuzzed handlers and servlets use, so a target can
 * run them below Jetty at fuzzing speed. Any other method throws, so code that starts using one shows up in the fuzz
 * targets rather than passing silently. Jetty's own parsing is HttpServerFuzzTest's.
 */
public final class ServletStandIns {
    private ServletStandIns() {
    }

    /**
     * @param method   the HTTP method
     * @param pathInfo the path below the servlet's mapping (null: none)
     * @param secure   whether the request came over TLS
     * @param headers  request headers (names case-insensitive); {@code Content-Type} is also getContentType()'s value
     */
    public static HttpServletRequest request(String method, String pathInfo, boolean secure, Map<String, String> headers,
            byte[] body) {
        Map<String, String> h = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        headers.forEach((k, v) -> {
            if (v != null) {
                h.put(k, v);
            }
        });
        ByteArrayInputStream in = new ByteArrayInputStream(body);
        ServletInputStream stream = new ServletInputStream() {
            @Override
            public int read() {
                return in.read();
            }

            @Override
            public int read(byte[] b, int off, int len) {
                return in.read(b, off, len);
            }

            @Override
            public boolean isFinished() {
                return in.available() == 0;
            }

            @Override
            public boolean isReady() {
                return true;
            }

            @Override
            public void setReadListener(ReadListener listener) {
                throw new UnsupportedOperationException();
            }
        };
        return (HttpServletRequest) Proxy.newProxyInstance(ServletStandIns.class.getClassLoader(),
                new Class<?>[] {HttpServletRequest.class}, (proxy, m, args) -> switch (m.getName()) {
                    case "getContentType" -> h.get("Content-Type");
                    case "getHeader" -> h.get((String) args[0]);
                    case "getContentLengthLong" -> (long) body.length;
                    case "getContentLength" -> body.length;
                    case "getInputStream" -> stream;
                    case "getMethod" -> method;
                    case "getPathInfo" -> pathInfo;
                    case "isSecure" -> secure;
                    case "getParameter", "getParameterValues", "getAttribute" -> null;
                    case "getServerName" -> "127.0.0.1";
                    default -> throw new UnsupportedOperationException("request." + m.getName());
                });
    }

    /** Collects status, headers and body. */
    public static final class Response {
        private int status = 200;
        private final Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        private final ByteArrayOutputStream body = new ByteArrayOutputStream();
        private final HttpServletResponse proxy;

        public Response() {
            ServletOutputStream out = new ServletOutputStream() {
                @Override
                public void write(int b) {
                    body.write(b);
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setWriteListener(WriteListener listener) {
                    throw new UnsupportedOperationException();
                }
            };
            proxy = (HttpServletResponse) Proxy.newProxyInstance(ServletStandIns.class.getClassLoader(),
                    new Class<?>[] {HttpServletResponse.class}, (p, m, args) -> {
                        switch (m.getName()) {
                            case "setStatus" -> status = (Integer) args[0];
                            case "getOutputStream" -> {
                                return out;
                            }
                            case "isCommitted" -> {
                                return false;
                            }
                            case "resetBuffer" -> body.reset();
                            case "setHeader", "addHeader" -> headers.put((String) args[0], (String) args[1]);
                            case "setContentType" -> headers.put("Content-Type", (String) args[0]);
                            case "setCharacterEncoding", "setContentLength", "setContentLengthLong" -> {
                            }
                            default -> throw new UnsupportedOperationException("response." + m.getName());
                        }
                        return null;
                    });
        }

        public HttpServletResponse proxy() {
            return proxy;
        }

        public int status() {
            return status;
        }

        public String header(String name) {
            return headers.get(name);
        }

        public byte[] body() {
            return body.toByteArray();
        }
    }
}
