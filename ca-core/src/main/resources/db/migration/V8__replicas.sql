-- Several server replicas on one database (issue 13). Portable SQL: H2 (MODE=PostgreSQL) and PostgreSQL alike.

-- The CRLs in force, one row per CA key. A CRL is built and stored in one transaction that holds the crl_numbers row
-- of its CA (SELECT ... FOR UPDATE): builds are serialized across replicas, each number is used once, and a higher
-- number was built from a later view of the store. Every replica serves this row and copies it to its own disk for
-- nginx, so all of them serve the same CRL.
CREATE TABLE crls (
    issuer_key_id VARCHAR(64) NOT NULL PRIMARY KEY REFERENCES crl_numbers (issuer_key_id),
    crl_number    BIGINT      NOT NULL,
    this_update   TIMESTAMP WITH TIME ZONE NOT NULL,
    next_update   TIMESTAMP WITH TIME ZONE NOT NULL,
    der           BYTEA       NOT NULL
);

-- Shared credentials the replicas must agree on: the delegated OCSP responder's and the profile signer's keys and
-- certificates (PKCS#12 encrypted under the CA passphrase, as the ca/*.p12 files are). Renewed by one replica under
-- a db_locks row.
CREATE TABLE shared_credentials (
    name       VARCHAR(64) NOT NULL PRIMARY KEY,
    serial     VARCHAR(42) NOT NULL,
    not_after  TIMESTAMP WITH TIME ZONE NOT NULL,
    pkcs12     BYTEA       NOT NULL,
    updated_at TIMESTAMP WITH TIME ZONE NOT NULL
);

-- Mutual exclusion across replicas for work that must not run twice at once (building a CRL for the first time,
-- renewing the OCSP responder): a transaction locks the row with SELECT ... FOR UPDATE.
CREATE TABLE db_locks (
    name VARCHAR(64) NOT NULL PRIMARY KEY
);
INSERT INTO db_locks (name) VALUES ('crl');
INSERT INTO db_locks (name) VALUES ('ocsp-responder');
INSERT INTO db_locks (name) VALUES ('profile-signing');

-- Background jobs that one replica runs at a time (Intune's revocation sync, the Jamf device sync, Intune report
-- retries): the holder renews its lease at every run; when it dies, another takes over once the lease has expired.
CREATE TABLE job_leases (
    name       VARCHAR(64)  NOT NULL PRIMARY KEY,
    holder     VARCHAR(128) NOT NULL,
    expires_at TIMESTAMP WITH TIME ZONE NOT NULL
);

-- The live replicas, each refreshing its row every few seconds: the per-source rate limits are shared by dividing
-- them among the live replicas (a load balancer spreads a source's requests over all of them), and the console and
-- readiness show which replicas run.
CREATE TABLE replicas (
    id         VARCHAR(64)  NOT NULL PRIMARY KEY,
    host       VARCHAR(255) NOT NULL,
    version    VARCHAR(64)  NOT NULL,
    started_at TIMESTAMP WITH TIME ZONE NOT NULL,
    last_seen  TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX replicas_last_seen_idx ON replicas (last_seen);
