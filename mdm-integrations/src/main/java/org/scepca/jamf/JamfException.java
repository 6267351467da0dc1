package org.scepca.jamf;

/**
 * A Jamf Pro API call that did not give a complete, well-formed answer: unreachable, refused, timed out, an HTTP error,
 * a body too large or not the documented shape, or an inventory that changed or came back short while it was read.
 * The message is safe to log: it names the call and the status, never a token, a secret or a body.
 */
public class JamfException extends Exception {
    private static final long serialVersionUID = 1L;

    public JamfException(String message) {
        super(message);
    }

    public JamfException(String message, Throwable cause) {
        super(message, cause);
    }
}
