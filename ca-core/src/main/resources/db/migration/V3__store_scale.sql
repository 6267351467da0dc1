-- Keep the cost of issuing and of a CRL independent of how many certificates the store holds.

-- Nothing looks certificates up by transaction id (requests.transaction_id is the key for that), and a random-keyed
-- index costs a page read and rewrite on every issuance once the store is large.
DROP INDEX certificates_transaction_idx;

-- The CRL's entries in a table of their own: building a CRL reads these small rows in revocation order instead of
-- fetching every revoked row (with its DER) from the certificates table, scattered over a store of millions.
-- certificates.status / revoked_at / revocation_reason stay as they are, for listing and lookup. not_after is
-- copied so that the dashboard's counts come from two indexes and this table instead of a scan of every certificate.
CREATE TABLE revocations (
    serial            VARCHAR(42)   NOT NULL PRIMARY KEY REFERENCES certificates (serial),
    issuer_dn         VARCHAR(1024) NOT NULL,
    not_after         TIMESTAMP WITH TIME ZONE NOT NULL,
    revoked_at        TIMESTAMP WITH TIME ZONE NOT NULL,
    revocation_reason VARCHAR(32)   NOT NULL
);
INSERT INTO revocations (serial, issuer_dn, not_after, revoked_at, revocation_reason)
    SELECT serial, issuer_dn, not_after, revoked_at, revocation_reason FROM certificates WHERE status = 'REVOKED'
    ORDER BY revoked_at, serial;
DROP INDEX certificates_revoked_idx;
