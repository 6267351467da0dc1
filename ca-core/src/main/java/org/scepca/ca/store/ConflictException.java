package org.scepca.ca.store;

/**
 * A write lost a race or broke a uniqueness rule: a used challenge, a known transaction id, a taken serial, a
 * certificate that was already renewed.
 */
public class ConflictException extends StoreException {
    public enum What { CHALLENGE_UNAVAILABLE, TRANSACTION_EXISTS, SERIAL_EXISTS, NOT_PENDING, ALREADY_RENEWED }

    private final What what;

    public ConflictException(What what, String message) {
        super(message);
        this.what = what;
    }

    public What what() {
        return what;
    }
}
