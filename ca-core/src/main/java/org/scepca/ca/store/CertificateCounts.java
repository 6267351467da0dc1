package org.scepca.ca.store;

/**
 * How many certificates are in each state, for the admin dashboard.
 *
 * @param expiringSoon active certificates whose notAfter falls before the horizon asked for
 */
public record CertificateCounts(long total, long active, long revoked, long expired, long expiringSoon) {
}
