-- Identity and renewal rules (issue 11). Portable SQL: H2 (MODE=PostgreSQL) and PostgreSQL alike.

-- One successful renewal per certificate, enforced by the database: the renewing certificate names the certificate
-- it renews, and no two rows may name the same one. Both databases let any number of rows leave it NULL.
-- Renewals issued before this migration are not back-filled (their requester column says scep:renewal:<serial>);
-- with supersede-on-renewal (the default) the certificates they renewed are revoked and cannot renew again anyway.
ALTER TABLE certificates ADD COLUMN renews VARCHAR(42);
CREATE UNIQUE INDEX certificates_renews_idx ON certificates (renews);

-- Which of our certificates signed a SCEP transaction (its serial), or NULL for a challenge enrollment. A repeat of a
-- message is the same transaction id, the same CSR and the same renewed certificate; the same id and CSR signed by
-- the certificate that the transaction issued is a new request (a renewal), not a repeat.
ALTER TABLE requests ADD COLUMN renews VARCHAR(42);

-- A one-time challenge may be bound to names: only a CSR whose subject matches subject_pattern (any subject if NULL)
-- and whose every SAN matches one of san_patterns (newline-separated; no SAN allowed if NULL while the challenge is
-- bound) may use it. Each pattern is an exact value, or 'regex:' and a Java regular expression over the whole value.
ALTER TABLE challenges ADD COLUMN subject_pattern VARCHAR(1024);
ALTER TABLE challenges ADD COLUMN san_patterns VARCHAR(8192);

-- Admin client certificates (scepca admin cert issue): issued only by the CLI under the ADMIN_CLIENT profile; the
-- mTLS admin connector takes the role from here, never from the certificate's names.
CREATE TABLE admin_certificates (
    serial     VARCHAR(42) NOT NULL PRIMARY KEY REFERENCES certificates (serial),
    name       VARCHAR(64) NOT NULL,
    role       VARCHAR(16) NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX admin_certificates_name_idx ON admin_certificates (name);
