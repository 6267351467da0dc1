/**
 * Jetty 12 adapters: decode HTTP requests, enforce size limits, call the protocol core, encode replies.
 * Errors leave as RFC 9457 problem JSON, never with a stack trace.
 */
package org.scepca.server.http;
