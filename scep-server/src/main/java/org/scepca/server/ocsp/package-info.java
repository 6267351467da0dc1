/**
 * OCSP responder (RFC 6960, with the RFC 5019 profile's caching rules and RFC 8954 nonces): answers good, revoked or
 * unknown from the certificate store and signs with a delegated responder certificate. Knows nothing about HTTP;
 * {@code org.scepca.server.http.OcspServlet} adapts it.
 */
package org.scepca.server.ocsp;
