-- Portable SQL: runs on H2 (MODE=PostgreSQL) and PostgreSQL alike.
CREATE TABLE certificates (
    serial            VARCHAR(42)   NOT NULL PRIMARY KEY,  -- lower-case hex, no leading zeros
    issuer_dn         VARCHAR(1024) NOT NULL,
    subject_dn        VARCHAR(1024) NOT NULL,
    sans              VARCHAR(8192) NOT NULL,              -- newline-separated type:value
    search_text       VARCHAR(9300) NOT NULL,              -- lower-case subject + sans, for admin search
    not_before        TIMESTAMP WITH TIME ZONE NOT NULL,
    not_after         TIMESTAMP WITH TIME ZONE NOT NULL,
    status            VARCHAR(16)   NOT NULL,
    revoked_at        TIMESTAMP WITH TIME ZONE,
    revocation_reason VARCHAR(32),
    transaction_id    VARCHAR(128),
    requester         VARCHAR(256)  NOT NULL,
    profile           VARCHAR(16)   NOT NULL,
    issued_at         TIMESTAMP WITH TIME ZONE NOT NULL,
    sha256            VARCHAR(64)   NOT NULL,
    der               BYTEA         NOT NULL
);
CREATE INDEX certificates_revoked_idx ON certificates (issuer_dn, status);
CREATE INDEX certificates_not_after_idx ON certificates (not_after);
CREATE INDEX certificates_issued_idx ON certificates (issued_at, serial);
CREATE INDEX certificates_transaction_idx ON certificates (transaction_id);

CREATE TABLE requests (
    transaction_id VARCHAR(128)  NOT NULL PRIMARY KEY,
    csr_sha256     VARCHAR(64)   NOT NULL,
    csr_der        BYTEA         NOT NULL,
    subject_dn     VARCHAR(1024) NOT NULL,
    status         VARCHAR(16)   NOT NULL,
    serial         VARCHAR(42),
    requester      VARCHAR(256)  NOT NULL,
    reason         VARCHAR(512),
    created_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at     TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX requests_status_idx ON requests (status, created_at);

CREATE TABLE challenges (
    id            VARCHAR(36)  NOT NULL PRIMARY KEY,
    secret_sha256 VARCHAR(64)  NOT NULL UNIQUE,
    created_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    expires_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    consumed_at   TIMESTAMP WITH TIME ZONE,
    note          VARCHAR(256)
);

CREATE TABLE crl_numbers (
    issuer_key_id VARCHAR(64) NOT NULL PRIMARY KEY,
    crl_number    BIGINT      NOT NULL
);
