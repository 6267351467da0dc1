-- The searchable audit trail (issue 14). Every audit line a process writes (server, CLI command, each replica) is
-- also queued for this table, so that the console can search one trail for all of them; the log line stays the
-- primary record (a row may be lost when a process dies with lines still queued, a log line is not). Values are the
-- line's fields with control and format characters escaped as \uXXXX ("-" is stored as NULL).
-- Portable SQL: H2 (MODE=PostgreSQL) and PostgreSQL alike.
CREATE TABLE audit_events (
    -- 12 hex digits of the event's Unix time in milliseconds, then 16 random hex digits: unique across processes
    -- without coordination, and in time order, so that a page is "id < cursor ORDER BY id DESC" and a time range is
    -- an id range on the primary key.
    id       VARCHAR(28)    NOT NULL PRIMARY KEY,
    at       TIMESTAMP WITH TIME ZONE NOT NULL,
    op       VARCHAR(64)    NOT NULL,
    txid     VARCHAR(128),
    endpoint VARCHAR(64),
    subject  VARCHAR(1024),
    device   VARCHAR(256),
    serial   VARCHAR(64),   -- lower-case hex without colons
    outcome  VARCHAR(64),
    actor    VARCHAR(256),
    line     VARCHAR(100000) NOT NULL -- the line as logged (without the file appender's timestamp)
);
-- One index per search field, ending in id: a filtered page is an index range read in id order.
CREATE INDEX audit_events_serial_idx ON audit_events (serial, id);
CREATE INDEX audit_events_device_idx ON audit_events (device, id);
CREATE INDEX audit_events_actor_idx ON audit_events (actor, id);
CREATE INDEX audit_events_outcome_idx ON audit_events (outcome, id);
CREATE INDEX audit_events_op_idx ON audit_events (op, id);
CREATE INDEX audit_events_txid_idx ON audit_events (txid);
