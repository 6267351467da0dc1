/**
 * The EST core (RFC 7030): cacerts, simpleenroll, simplereenroll and csrattrs for one enrollment endpoint, on the
 * issuance engine, challenges, request store and renewal rules SCEP uses. Knows nothing about HTTP or TLS.
 */
package org.scepca.est;
