package org.scepca.server.cli;

import java.io.PrintWriter;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * {@code --json}: one JSON document per command (an array for a listing, an object for one item), with the admin
 * API's field names wherever the API shows the same thing, and every field present (null when unknown), so a script
 * reading it finds the same keys on every row.
 */
final class JsonOutput {
    private static final ObjectMapper MAPPER = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    private JsonOutput() {
    }

    static void print(PrintWriter out, Object value) {
        try {
            out.println(MAPPER.writeValueAsString(value));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON (" + e.getClass().getSimpleName() + ")", e);
        }
    }
}
