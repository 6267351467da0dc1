package org.scepca.ca.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which failures mean "the database is not there" (503, try again) rather than "the statement failed". */
class StoreUnavailableExceptionTest {
    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "ok/connection-refused, 08001, true",
            "ok/connection-lost, 08006, true",
            "ok/connection-does-not-exist, 08003, true",
            "ok/immediate-stop, 57P01, true",
            "ok/crash-shutdown, 57P02, true",
            "ok/starting-up, 57P03, true",
            "ok/standby-read-only, 25006, true",
            "fail/unique-violation, 23505, false",
            "fail/serialization, 40001, false",
            "fail/undefined-table, 42P01, false",
            "fail/internal, XX000, false"})
    void classifiesBySqlState(String name, String state, boolean unavailable) {
        assertThat(StoreUnavailableException.isUnavailable(new SQLException("x", state))).isEqualTo(unavailable);
    }

    @Test
    void noPooledConnectionInTime_isUnavailable_evenWithoutAState() {
        assertThat(StoreUnavailableException.isUnavailable(new SQLTransientConnectionException(
                "scepca-db - Connection is not available, request timed out after 10000ms."))).isTrue();
    }

    @Test
    void aLostConnectionBehindAnotherError_isUnavailable() {
        assertThat(StoreUnavailableException.isUnavailable(new SQLException("rollback failed", "XX000",
                new SQLException("An I/O error occurred while sending to the backend.", "08006")))).isTrue();
    }

    @Test
    void noStateAtAll_isNotUnavailable() {
        assertThat(StoreUnavailableException.isUnavailable(new SQLException("x"))).isFalse();
    }
}
