/**
 * The admin surface: a JSON API under {@code /api/v1} (bearer tokens or mTLS client certificates, roles admin and
 * viewer, RFC 9457 errors, an OpenAPI 3.1 document) and the web console, both on their own connector.
 */
package org.scepca.server.admin;
