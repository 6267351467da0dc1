package org.scepca.server.profiles;

import java.util.Objects;

/**
 * A profile option that cannot be used, naming the option the way the CLI ({@code --key-size}) and the HTTP query
 * ({@code key-size=}) spell it, so an admin or a script knows which value to fix. The message is user input
 * feedback and safe to show: it never carries internals.
 */
public final class ProfileOptionException extends IllegalArgumentException {
    private final String field;
    private final String detail;

    public ProfileOptionException(String field, String detail) {
        super(Objects.requireNonNull(field, "field is null") + ": " + Objects.requireNonNull(detail, "detail is null"));
        this.field = field;
        this.detail = detail;
    }

    /** The option's name without dashes, e.g. {@code key-size}. */
    public String field() {
        return field;
    }

    /** What is wrong with it. */
    public String detail() {
        return detail;
    }
}
