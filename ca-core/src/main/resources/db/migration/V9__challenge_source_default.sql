-- V5 gave challenges.source the default 'admin', but the code writes and reads the enum name ADMIN: a one-time
-- challenge minted before V5 (or inserted without a source) failed on first use with "No enum constant
-- ChallengeOrigin.Source.admin". The rows are corrected and the default made the value the code knows.
-- Portable SQL: H2 (MODE=PostgreSQL) and PostgreSQL alike.
UPDATE challenges SET source = 'ADMIN' WHERE source = 'admin';
ALTER TABLE challenges ALTER COLUMN source SET DEFAULT 'ADMIN';
