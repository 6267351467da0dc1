/**
 * The SCEP protocol core (RFC 8894): takes decoded operations and returns replies. Knows nothing about HTTP;
 * {@code org.scepca.server.http} adapts it to Jetty.
 */
package org.scepca.scep;
