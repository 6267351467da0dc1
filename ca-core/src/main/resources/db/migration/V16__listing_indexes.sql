-- Newest-first listings over tables that only grow, read a page at a time. Without a matching index the store read and
-- sorted every row on each call (found by the fuzz runs: the same defect as V15's challenges). Each index below holds
-- the rows in the listing's order, so the store walks the newest entries and stops at the page size. The listings'
-- ORDER BY starts with the index's leading columns even where the WHERE fixes them: H2 reads an index in order only
-- then. Portable SQL (H2 and PostgreSQL).

-- An account's orders (RFC 8555 section 7.1.2.1, the "orders" URL). An ACME client that keeps one account
-- (cert-manager, certbot, a fleet tool) makes an order per certificate, and nothing purges them. The leading column
-- serves every lookup by account the old index served.
CREATE INDEX acme_orders_account_newest ON acme_orders (account_id, endpoint, created_at DESC, id);
DROP INDEX acme_orders_account;

-- Enrollment transactions (admin API and console "requests", `scepca request list`): a row per enrollment and
-- renewal, kept. Unfiltered, the listing sorted the whole table; by status, every row of that status (ISSUED: nearly
-- all of them). The status index's leading columns serve the count by status as the old one did.
CREATE INDEX requests_newest_idx ON requests (created_at DESC, transaction_id);
CREATE INDEX requests_status_newest_idx ON requests (status, created_at DESC, transaction_id);
DROP INDEX requests_status_idx;
