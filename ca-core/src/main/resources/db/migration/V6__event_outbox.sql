-- Outbound webhooks (issue 12): a transactional outbox. An event is inserted in the same transaction as the change it
-- reports (a certificate issued, renewed or revoked), so it exists if and only if the change committed; a background
-- dispatcher delivers it later, at least once. Portable SQL: H2 (MODE=PostgreSQL) and PostgreSQL alike.
CREATE TABLE event_outbox (
    id              VARCHAR(36)      NOT NULL PRIMARY KEY, -- the event id (UUID), sent as X-Scepca-Delivery
    event_type      VARCHAR(16)      NOT NULL,             -- issued, renewed, revoked, refused
    payload         VARCHAR(1000000) NOT NULL,             -- the exact JSON body, signed anew at every attempt
    created_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    attempts        INTEGER          NOT NULL,
    -- When the event is next due; NULL once it is delivered or dead, so that the due index only spans pending rows.
    -- A dispatcher claims a row by moving this forward by a lease (compare-and-set on attempts), never by holding a
    -- lock across the HTTP call: two servers sharing one PostgreSQL database do not send an event twice, except when
    -- a lease runs out (at-least-once; receivers de-duplicate on the event id).
    next_attempt_at TIMESTAMP WITH TIME ZONE,
    delivered_at    TIMESTAMP WITH TIME ZONE,
    dead_at         TIMESTAMP WITH TIME ZONE,               -- gave up (max attempts or max age); kept for inspection
    last_error      VARCHAR(512)
);
CREATE INDEX event_outbox_due_idx ON event_outbox (next_attempt_at);
CREATE INDEX event_outbox_created_idx ON event_outbox (created_at);
