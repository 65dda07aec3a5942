-- refundkit PostgreSQL ledger, schema version 1.
--
-- Applied by `refundkit ledger migrate --ledger postgres://…` (or `migratePostgresLedger()`),
-- inside one transaction whose search_path is the ledger's schema (default `refundkit`): no
-- name below is schema-qualified, so one database can hold several apps' ledgers side by side.
-- Mirrors the SQLite ledger's schema 2 (packages/refunds/src/ledger/sqlite-ledger.ts) with
-- PostgreSQL types: amounts BIGINT minor units, times timestamptz, JSON as jsonb.

-- One row per order any refund was reserved on: the row a reservation locks (SELECT … FOR UPDATE)
-- before reading what the order already holds, so two machines reserving on one order take turns.
-- `amount` is the order's known total (given by a caller or learnt from a provider's answer),
-- NULL while nobody has said it. A row lock rather than pg_advisory_xact_lock(hash of the key):
-- the row is also where the total the reservation reads lives; it cannot collide with another
-- order (advisory keys are one 64-bit space for the whole database, shared with every app and
-- schema in it, and a hash collision makes unrelated orders wait for each other); and it shows
-- in pg_locks against its row. Its cost is one small row per order.
CREATE TABLE orders (
  provider   text        NOT NULL,
  account    text        NOT NULL,
  order_id   text        NOT NULL,
  amount     bigint      CHECK (amount >= 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (provider, account, order_id)
);

-- One row per refund (Refund in packages/refunds/src/model.ts), keyed as the providers key them:
-- refund ids are unique per provider and merchant account. The lease columns are NULL when no
-- sender holds the refund. `seq` keeps reservation order for `refundsOf`.
CREATE TABLE refunds (
  provider           text        NOT NULL,
  account            text        NOT NULL,
  refund_id          text        NOT NULL,
  order_id           text        NOT NULL,
  amount             bigint      NOT NULL CHECK (amount >= 0),
  currency           text        NOT NULL,
  status             text        NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed', 'unknown')),
  provider_refund_id text,
  failure_code       text,
  failure_message    text,
  raw                text,
  meta               jsonb,
  attempts           integer     NOT NULL,
  provider_may_know  boolean     NOT NULL,
  lease_holder       text,
  lease_attempt      integer,
  lease_expires_at   timestamptz,
  created_at         timestamptz NOT NULL,
  updated_at         timestamptz NOT NULL,
  seq                bigint      GENERATED ALWAYS AS IDENTITY,
  PRIMARY KEY (provider, account, refund_id),
  FOREIGN KEY (provider, account, order_id) REFERENCES orders,
  CHECK ((lease_holder IS NULL) = (lease_expires_at IS NULL))
);
-- What an order already holds (the over-refund check) and `refundsOf`, in reservation order.
CREATE INDEX refunds_by_order ON refunds (provider, account, order_id, seq);
-- What a resolver (a long-running server, or a worker between jobs) looks for: refunds whose
-- outcome is still open, `unknown` ones first by when their lease ran out (NULL: nobody holds it).
--   SELECT … FROM refunds WHERE status = 'unknown' AND (lease_expires_at IS NULL OR lease_expires_at < now())
CREATE INDEX refunds_to_resolve ON refunds (status, lease_expires_at) WHERE status IN ('unknown', 'pending');

-- Every reservation, attempt and answer (RefundEvent), oldest first by `seq`.
CREATE TABLE refund_events (
  seq       bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  provider  text        NOT NULL,
  account   text        NOT NULL,
  refund_id text        NOT NULL,
  at        timestamptz NOT NULL,
  kind      text        NOT NULL,
  event     jsonb       NOT NULL,
  FOREIGN KEY (provider, account, refund_id) REFERENCES refunds
);
CREATE INDEX refund_events_by_refund ON refund_events (provider, account, refund_id, seq);

-- The first statement of `reserve` and `update`, inside their transaction: makes sure the order's
-- row exists, locks it, and only then (in a new statement, so under READ COMMITTED a new
-- snapshot that sees every reservation committed before the lock was granted) reads the refund,
-- what the order's other refunds hold, and the database's clock. Reading in the statement that
-- waited for the lock would see the order as it was before the wait: that is the over-refund race.
-- `p_order_id` NULL: the refund's own order (for `update`; a refund's order never changes).
-- `p_test_now` is for tests only (a conformance suite's frozen clock); NULL otherwise: the database's clock.
-- One round trip for all of it: a reservation's cost is mostly round trips and the commit.
CREATE FUNCTION lock_order_and_read(p_provider text, p_account text, p_refund_id text, p_order_id text, p_test_now timestamptz)
RETURNS TABLE (found_order_id text, order_total bigint, held_by_others bigint, db_now timestamptz, refund jsonb)
LANGUAGE plpgsql VOLATILE
SET search_path FROM CURRENT
AS $$
DECLARE
  v_order_id text := p_order_id;
BEGIN
  -- Under REPEATABLE READ or SERIALIZABLE every statement reads the transaction's first snapshot,
  -- and the read below could miss a reservation committed while this one waited for the lock.
  IF current_setting('transaction_isolation') <> 'read committed' THEN
    RAISE EXCEPTION 'refundkit ledger: reserve and update need READ COMMITTED, not %', current_setting('transaction_isolation')
      USING ERRCODE = '25001';
  END IF;
  IF v_order_id IS NULL THEN
    SELECT r.order_id INTO v_order_id FROM refunds r WHERE r.provider = p_provider AND r.account = p_account AND r.refund_id = p_refund_id;
    IF v_order_id IS NULL THEN
      RETURN QUERY SELECT NULL::text, NULL::bigint, NULL::bigint, COALESCE(p_test_now, clock_timestamp()), NULL::jsonb;
      RETURN;
    END IF;
  ELSE
    INSERT INTO orders (provider, account, order_id) VALUES (p_provider, p_account, v_order_id) ON CONFLICT DO NOTHING;
  END IF;
  PERFORM 1 FROM orders o WHERE o.provider = p_provider AND o.account = p_account AND o.order_id = v_order_id FOR UPDATE;
  RETURN QUERY
    SELECT v_order_id,
           (SELECT o.amount FROM orders o WHERE o.provider = p_provider AND o.account = p_account AND o.order_id = v_order_id),
           (SELECT COALESCE(SUM(h.amount), 0)::bigint FROM refunds h
             WHERE h.provider = p_provider AND h.account = p_account AND h.order_id = v_order_id
               AND h.refund_id <> p_refund_id AND h.status <> 'failed'),
           COALESCE(p_test_now, clock_timestamp()),
           (SELECT to_jsonb(r) - 'seq' FROM refunds r WHERE r.provider = p_provider AND r.account = p_account AND r.refund_id = p_refund_id);
END
$$;
