package org.scepca.scep.message;

/**
 * The bytes are not a SCEP pkiMessage we can answer with a signed CertRep: not CMS SignedData, or
 * the transactionID, messageType or senderNonce needed to address a reply is missing or invalid.
 * The HTTP edge answers 400. The message is a short description, never a copy of the input.
 */
public final class MalformedScepMessageException extends Exception {

    public MalformedScepMessageException(String message) {
        super(message);
    }

    public MalformedScepMessageException(String message, Throwable cause) {
        super(message, cause);
    }
}
