-- API tokens for the admin API and console. Only the SHA-256 of a token is stored (tokens are 256-bit random, so a
-- fast unsalted hash is enough); the token itself is shown once by 'scepca admin token create'.
CREATE TABLE admin_tokens (
    id           VARCHAR(36)  NOT NULL PRIMARY KEY,
    name         VARCHAR(64)  NOT NULL,
    role         VARCHAR(16)  NOT NULL,
    token_sha256 VARCHAR(64)  NOT NULL UNIQUE,
    created_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    revoked_at   TIMESTAMP WITH TIME ZONE,
    last_used_at TIMESTAMP WITH TIME ZONE
);
CREATE INDEX admin_tokens_name_idx ON admin_tokens (name);
