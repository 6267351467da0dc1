/**
 * The server's Prometheus metrics (Micrometer): what the protocol cores report through their observer interfaces,
 * HTTP requests per connector, gauges read from the store and the CA, JVM, pool and Jetty meters. Served as
 * {@code /metrics} on the admin connector (docs/monitoring.md).
 */
package org.scepca.server.metrics;
