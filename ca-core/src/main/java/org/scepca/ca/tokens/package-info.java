/**
 * Who may use the admin API: bearer tokens (random, shown once, stored as SHA-256) and the roles they carry.
 * The HTTP edge that checks them lives in the server's {@code admin} package.
 */
package org.scepca.ca.tokens;
