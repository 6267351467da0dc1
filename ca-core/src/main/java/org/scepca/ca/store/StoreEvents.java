package org.scepca.ca.store;

import java.math.BigInteger;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;

/**
 * Told of certificate changes inside the transaction that makes them, so that what it records (the webhook outbox,
 * {@code org.scepca.ca.events.EventOutbox}) commits or rolls back with the change itself: no event for an issuance
 * that failed, no issuance whose event a crash lost. An exception rolls the change back, so implementations only
 * insert rows and never reach outside the database.
 */
public interface StoreEvents {

    /** {@code certificate} was stored; {@code renews} is the certificate it renews, if it is a renewal. */
    void issued(Connection c, CertificateRecord certificate, Optional<BigInteger> renews) throws SQLException;

    /**
     * {@code certificate} (as it is now: revoked) was revoked by this transaction; not called for one that was
     * revoked already.
     *
     * @param actor who revoked it ({@code cli:alice}, {@code token:ops}, the renewing requester for a superseded
     *              certificate), if known
     */
    void revoked(Connection c, CertificateRecord certificate, Optional<String> actor) throws SQLException;
}
