-- Expiry monitoring (issue 14). Portable SQL: H2 (MODE=PostgreSQL) and PostgreSQL alike.
-- certificates.not_after is indexed since V1 (certificates_not_after_idx): the expiring listing, the daily counts and
-- the notifier's threshold bands are range scans of that index.

-- Each certificate (or CA certificate) is notified at most once per threshold and channel: the primary key is the
-- guarantee, so that neither a restart nor a second replica sends a notice again. A webhook notice is inserted in the
-- same transaction as its event_outbox row.
CREATE TABLE expiry_notices (
    channel        VARCHAR(16)  NOT NULL,
    serial         VARCHAR(42)  NOT NULL,
    threshold_days INTEGER      NOT NULL,
    not_after      TIMESTAMP WITH TIME ZONE NOT NULL,
    notified_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (channel, serial, threshold_days)
);
-- Purging notices of certificates long expired.
CREATE INDEX expiry_notices_not_after_idx ON expiry_notices (not_after);

-- Jobs that run once per UTC day per deployment (the audit log's expiry summary): the first replica to insert the
-- day's row runs it; a restart later that day finds the row and does not.
CREATE TABLE daily_runs (
    name   VARCHAR(64) NOT NULL,
    run_on DATE        NOT NULL,
    ran_at TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (name, run_on)
);
