-- Certificates an MDM (Intune) must hear of (issue 12). A row is written in the issuance's own transaction and
-- deleted once Intune acknowledged its successNotification; what is left is retried with backoff. Portable SQL.
CREATE TABLE mdm_reports (
    serial          VARCHAR(42)  NOT NULL PRIMARY KEY REFERENCES certificates (serial),
    endpoint        VARCHAR(32)  NOT NULL,
    transaction_id  VARCHAR(128) NOT NULL,
    csr_der         BYTEA        NOT NULL,
    attempts        INTEGER      NOT NULL,
    next_attempt_at TIMESTAMP WITH TIME ZONE NOT NULL,
    last_error      VARCHAR(512)
);
CREATE INDEX mdm_reports_due_idx ON mdm_reports (next_attempt_at);
