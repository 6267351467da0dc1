package org.scepca.ca.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scepca.ca.store.Database;

import com.fasterxml.jackson.databind.JsonNode;

class RefusalPublisherTest {
    @TempDir
    Path dir;
    Database db;

    @BeforeEach
    void open() {
        // Two connections in the pool (Flyway needs two): the test can take both away from the publisher.
        db = Database.openH2(dir.resolve("db"), dir.resolve("secrets/db-password"), 2);
    }

    @AfterEach
    void close() {
        db.close();
    }

    private static CaEvent refusal(String txid) {
        return CaEvent.refused(Instant.now(), Optional.of(txid), Optional.of("CN=dev"), List.of(), "badRequest",
                "challenge used", "scep:10.0.0.9");
    }

    @Test
    void aRefusalNeverWaitsForTheDatabase_andAFullQueueDropsAndCounts() throws Exception {
        RefusalPublisher publisher = new RefusalPublisher(db, new EventOutbox(EnumSet.allOf(CaEvent.Type.class)), 1);
        try (Connection held = db.connection(); Connection alsoHeld = db.connection()) {
            // The database's connections are taken: the worker waits for it with the first event, the queue
            // holds the second, the third is dropped. Each call returns while the database is unavailable.
            publisher.publish(refusal("tx-1"));
            publisher.publish(refusal("tx-2"));
            publisher.publish(refusal("tx-3"));
            assertThat(publisher.dropped()).isEqualTo(1);
            assertThat(held.isValid(1) && alsoHeld.isValid(1)).isTrue();
        }
        publisher.close(); // writes what is queued
        List<JsonNode> events = EventOutboxTest.events(db);
        assertThat(events).extracting(e -> e.get("transactionId").asText()).containsExactlyInAnyOrder("tx-1", "tx-2");
        assertThat(events).allSatisfy(e -> {
            assertThat(e.get("type").asText()).isEqualTo("refused");
            assertThat(e.get("failInfo").asText()).isEqualTo("badRequest");
        });
    }

    @Test
    void refusalsAreNotQueuedUnlessConfigured_andOnlyRefusalsGoThisWay() {
        RefusalPublisher publisher = new RefusalPublisher(db, new EventOutbox(Set.of(CaEvent.Type.ISSUED)), 10);
        publisher.publish(refusal("tx-4"));
        publisher.close();
        assertThat(EventOutboxTest.events(db)).isEmpty();
        assertThat(publisher.dropped()).isZero();
        var issued = new CaEvent(java.util.UUID.randomUUID(), CaEvent.Type.ISSUED, Instant.now(), Optional.of("1f"),
                Optional.of("CN=x"), List.of(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                java.util.Map.of(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
        assertThatThrownBy(() -> publisher.publish(issued)).isInstanceOf(IllegalArgumentException.class);
    }
}
