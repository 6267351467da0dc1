-- The public HTTPS connector's own TLS certificate (issue 15, EST): when public.tls-cert is not configured, the server
-- issues one from the CA and keeps it in shared_credentials (as the OCSP responder and the profile signer are kept),
-- so that replicas serve one certificate and a read-only data folder is enough. Making a new one is serialized by
-- this db_locks row, so that of several replicas starting together only one issues it. Portable SQL.
INSERT INTO db_locks (name) VALUES ('public-tls');
