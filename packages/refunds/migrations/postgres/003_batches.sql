-- refundkit PostgreSQL ledger, schema version 3: the batch run a refund was first reserved under
-- (Refund.batch: `refunds.batch`, `refundkit batch`), kept as it was by later runs.
--
-- Mirrors the SQLite ledger's schema 4 (packages/refunds/src/ledger/sqlite-ledger.ts). Applied in
-- one transaction with search_path set to the ledger's schema, like 001. Adding a NULL column
-- rewrites nothing; rows already there belong to no run.
ALTER TABLE refunds ADD COLUMN batch text CHECK (batch <> '');
-- What `batches` reads: a run's refunds, and runs by their first reservation.
CREATE INDEX refunds_by_batch ON refunds (batch, created_at) WHERE batch IS NOT NULL;
