package org.scepca.ca.policy;

/**
 * A request the policy refuses. The message is short, names the reason, and is safe to show the requester.
 * {@link Kind#BAD_ALGORITHM} maps to SCEP failInfo badAlg, everything else to badRequest.
 */
public class PolicyViolationException extends RuntimeException {
    public enum Kind { BAD_REQUEST, BAD_ALGORITHM }

    private final Kind kind;

    public PolicyViolationException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public PolicyViolationException(String message) {
        this(Kind.BAD_REQUEST, message);
    }

    public Kind kind() {
        return kind;
    }
}
