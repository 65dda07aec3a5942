-- refundkit PostgreSQL ledger, schema version 2: the change feed, the reconciler's schedule per
-- refund, and notifications that named a refund the ledger never saw.
--
-- Mirrors the SQLite ledger's schema 3 (packages/refunds/src/ledger/sqlite-ledger.ts). Applied in
-- one transaction with search_path set to the ledger's schema, like 001.

-- The reconciler's schedule (Refund.reconcile): NULL until a reconciler first claims the refund;
-- a new reservation (a resubmission, a recovery) clears it.
ALTER TABLE refunds ADD COLUMN checks integer CHECK (checks >= 0), ADD COLUMN next_check_at timestamptz;
-- What a reconciler asks for (`due`): open refunds, the one waiting longest first.
CREATE INDEX refunds_due ON refunds ((COALESCE(next_check_at, created_at))) WHERE status IN ('pending', 'unknown');

-- The change feed: one row per status transition, written in the transaction that made it.
--
-- `seq` must follow commit order, or a follower could skip a change: a sequence (or IDENTITY)
-- hands out numbers when asked, not when the transaction commits, so a slow transaction could
-- commit seq 41 after a reader already moved past 42. Each appending transaction therefore takes
-- the next number from the single row below (UPDATE … RETURNING), whose lock it holds until it
-- commits: appends take turns, a number is never committed after a larger one, and a rolled-back
-- append gives its number back (no gaps). The lock is taken by the last statement before COMMIT,
-- so what is serialised is that statement and the commit itself, never the provider exchange or
-- the order's lock wait; only transactions that move a status take it. (Figures, and why not a
-- read horizon instead: docs/changes-and-reconciling.md.)
CREATE TABLE change_counter (
  only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
  last_seq bigint  NOT NULL
);

CREATE TABLE refund_changes (
  seq         bigint      PRIMARY KEY,
  at          timestamptz NOT NULL,
  provider    text        NOT NULL,
  account     text        NOT NULL,
  order_id    text        NOT NULL,
  refund_id   text        NOT NULL,
  amount      bigint      NOT NULL,
  currency    text        NOT NULL,
  from_status text        CHECK (from_status IN ('pending', 'succeeded', 'failed', 'unknown')),
  to_status   text        NOT NULL CHECK (to_status IN ('pending', 'succeeded', 'failed', 'unknown')),
  source      text        NOT NULL,
  FOREIGN KEY (provider, account, refund_id) REFERENCES refunds
);

-- Every refund already recorded appears once, as it stands (source `upgrade`), so a follower
-- starting at 0 learns every refund.
INSERT INTO refund_changes (seq, at, provider, account, order_id, refund_id, amount, currency, from_status, to_status, source)
  SELECT row_number() OVER (ORDER BY seq), updated_at, provider, account, order_id, refund_id, amount, currency, NULL, status, 'upgrade'
  FROM refunds;
INSERT INTO change_counter (last_seq) SELECT count(*) FROM refund_changes;

-- A notification naming a refund this ledger never saw: kept (a bounded excerpt) before it is
-- acknowledged. The same body delivered again counts a delivery.
CREATE TABLE unmatched_notifications (
  provider         text        NOT NULL,
  account          text        NOT NULL,
  digest           text        NOT NULL,
  refund_id        text        NOT NULL,
  excerpt          text        NOT NULL,
  verified         boolean     NOT NULL,
  received_at      timestamptz NOT NULL,
  last_received_at timestamptz NOT NULL,
  deliveries       integer     NOT NULL CHECK (deliveries >= 1),
  PRIMARY KEY (provider, account, digest)
);
CREATE INDEX unmatched_by_time ON unmatched_notifications (last_received_at);
