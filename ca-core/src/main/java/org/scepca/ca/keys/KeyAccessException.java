package org.scepca.ca.keys;

/** A private key could not be read: missing or wrong passphrase, missing or corrupt key file. Message is one line, safe to print. */
public class KeyAccessException extends RuntimeException {
    public KeyAccessException(String message) {
        super(message);
    }

    public KeyAccessException(String message, Throwable cause) {
        super(message, cause);
    }
}
