-- One-time challenges are minted by the thousand (an MDM that asks for one per device, profile batches) and kept until
-- the purge. Without this index the newest-first listing (admin API, console, CLI) reads and sorts every active
-- challenge on each call; with it, the store walks the newest entries and stops at the page size. Portable SQL (H2 and
-- PostgreSQL).
CREATE INDEX challenges_newest_idx ON challenges (created_at DESC, id);
