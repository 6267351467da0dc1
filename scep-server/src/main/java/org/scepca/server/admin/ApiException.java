package org.scepca.server.admin;

import java.util.List;
import java.util.Objects;

/**
 * An expected refusal, mapped once to an RFC 9457 problem by {@link ApiServlet}. {@code type} is the stable suffix
 * of the problem type URI; {@code detail} is shown to the client, so it never carries internals.
 */
final class ApiException extends RuntimeException {
    private final int status;
    private final String type;
    private final String title;
    private final List<FieldError> errors;

    ApiException(int status, String type, String title, String detail) {
        this(status, type, title, detail, List.of());
    }

    ApiException(int status, String type, String title, String detail, List<FieldError> errors) {
        super(detail, null, false, false);
        this.status = status;
        this.type = Objects.requireNonNull(type, "type is null");
        this.title = Objects.requireNonNull(title, "title is null");
        this.errors = List.copyOf(errors);
    }

    /** One invalid input, named so a form can show the message beside the field. */
    record FieldError(String field, String message) {
    }

    static ApiException validation(List<FieldError> errors) {
        return new ApiException(400, "validation", "Invalid request", errors.size() == 1 ? errors.get(0).message()
                : errors.size() + " fields are invalid", errors);
    }

    static ApiException validation(String field, String message) {
        return validation(List.of(new FieldError(field, message)));
    }

    static ApiException notFound(String detail) {
        return new ApiException(404, "not-found", "Not found", detail);
    }

    static ApiException conflict(String type, String detail) {
        return new ApiException(409, type, "Conflict", detail);
    }

    int status() {
        return status;
    }

    String type() {
        return type;
    }

    String title() {
        return title;
    }

    List<FieldError> errors() {
        return errors;
    }
}
