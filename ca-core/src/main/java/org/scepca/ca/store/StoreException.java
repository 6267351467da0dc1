package org.scepca.ca.store;

/** The store failed (I/O, constraint, connection). Internal: never shown to a requester verbatim. */
public class StoreException extends RuntimeException {
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }

    public StoreException(String message) {
        super(message);
    }
}
