package org.scepca.scep.message;

/**
 * Building a reply failed: a signing or encryption operation of the JCA provider failed. This is a
 * server fault (key or provider misconfiguration), not something the client caused.
 */
public final class ScepEncodingException extends RuntimeException {

    public ScepEncodingException(String message, Throwable cause) {
        super(message, cause);
    }
}
