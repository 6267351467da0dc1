-- ACME (RFC 8555, issue 15): every piece of protocol state lives here so that any replica sharing the database can
-- serve any request (a nonce issued by one replica is consumed by another; an order created on one is finalized on
-- another). Portable SQL: H2 (MODE=PostgreSQL) and PostgreSQL alike.

-- Replay nonces (RFC 8555 section 7.2). Consumed with DELETE ... WHERE nonce = ? (row count 1 = fresh): the delete
-- is the atomic test-and-set across replicas. Expired rows are purged.
CREATE TABLE acme_nonces (
    nonce      VARCHAR(64) PRIMARY KEY,
    expires_at TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX acme_nonces_expiry ON acme_nonces (expires_at);

-- Accounts (section 7.1.2): one per key, found by the RFC 7638 thumbprint of the key (newAccount, revocation by
-- account) and by id (kid URLs). The JWK is kept as JSON to verify later requests.
CREATE TABLE acme_accounts (
    id         VARCHAR(64) PRIMARY KEY,
    endpoint   VARCHAR(64) NOT NULL,
    thumbprint VARCHAR(64) NOT NULL,
    jwk        VARCHAR(4096) NOT NULL,
    status     VARCHAR(16) NOT NULL,
    contact    VARCHAR(2048),
    created_at TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT acme_accounts_key UNIQUE (endpoint, thumbprint)
);

-- Orders (section 7.1.3). Identifiers as JSON (type dns now; permanent-identifier for device-attest-01 later).
CREATE TABLE acme_orders (
    id          VARCHAR(64) PRIMARY KEY,
    account_id  VARCHAR(64) NOT NULL REFERENCES acme_accounts (id),
    endpoint    VARCHAR(64) NOT NULL,
    status      VARCHAR(16) NOT NULL,
    identifiers VARCHAR(8192) NOT NULL,
    expires_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    error       VARCHAR(4096),
    cert_serial VARCHAR(64),
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX acme_orders_account ON acme_orders (account_id);
-- Revocation by account (section 7.6) finds the order that issued a serial.
CREATE INDEX acme_orders_cert ON acme_orders (cert_serial);

-- Authorizations (section 7.1.4), one per identifier of an order. bound_key: the public key (SubjectPublicKeyInfo,
-- base64) a validator bound the authorization to (device-attest-01 attests a key); finalize then requires the CSR's
-- key to be that key. note: what the validator learnt (an attested device's OS versions), kept with the certificate.
CREATE TABLE acme_authorizations (
    id               VARCHAR(64) PRIMARY KEY,
    order_id         VARCHAR(64) NOT NULL REFERENCES acme_orders (id),
    account_id       VARCHAR(64) NOT NULL REFERENCES acme_accounts (id),
    identifier_type  VARCHAR(32) NOT NULL,
    identifier_value VARCHAR(255) NOT NULL,
    status           VARCHAR(16) NOT NULL,
    expires_at       TIMESTAMP WITH TIME ZONE NOT NULL,
    bound_key        VARCHAR(4096),
    note             VARCHAR(256)
);
CREATE INDEX acme_authorizations_order ON acme_authorizations (order_id);

-- Challenges (section 7.1.5): the type names the validator (http-01, dns-01, device-attest-01). A challenge being
-- validated is 'processing' with a lease: the replica that took it validates it; if that replica dies, any replica
-- that sees the lease run out (a client polling) takes it over. response: the client's challenge payload (section
-- 7.5.1; device-attest-01 posts its attestation there), kept so that the replica taking over has it.
CREATE TABLE acme_challenges (
    id           VARCHAR(64) PRIMARY KEY,
    authz_id     VARCHAR(64) NOT NULL REFERENCES acme_authorizations (id),
    type         VARCHAR(32) NOT NULL,
    token        VARCHAR(128) NOT NULL,
    status       VARCHAR(16) NOT NULL,
    validated_at TIMESTAMP WITH TIME ZONE,
    error        VARCHAR(4096),
    lease_until  TIMESTAMP WITH TIME ZONE,
    response     VARCHAR(65536)
);
CREATE INDEX acme_challenges_authz ON acme_challenges (authz_id);
