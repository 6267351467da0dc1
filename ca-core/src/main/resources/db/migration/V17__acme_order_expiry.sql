-- The daily purge of ACME orders that expired without a certificate (AcmePurge) finds them by expiry. Portable SQL
-- (H2 and PostgreSQL).
CREATE INDEX acme_orders_expiry ON acme_orders (expires_at);
