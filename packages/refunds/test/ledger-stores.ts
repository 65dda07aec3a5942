/**
 * Every `RefundLedger` store, for the conformance suite (ledger-contract.test.ts) to run the same
 * tests against each:
 *
 *   describe.each(LEDGER_STORES)('$name ledger', ({ open, skip }) => {
 *     describe.skipIf(skip)('…', () => { … const ledger = await open(clock.now); … await ledger.close(); });
 *   });
 *
 * `open(now?)` gives a fresh, empty ledger; `close()` it after each test (for PostgreSQL that
 * also drops its schema). `now`, a fake clock, drives lease expiry: the memory and SQLite
 * ledgers read it as their clock; PostgreSQL keeps reading the database's clock, moved by as
 * much as `now()` is from the real time (`clockOffsetMs`, test-only). So on PostgreSQL
 * (`clock: 'database'`) advancing `now` expires leases as elsewhere, but the timestamps a ledger
 * writes are the database's, within milliseconds of `now()`, not equal to it: compare them
 * with a tolerance, or against each other. `skip` is set (to why) when the store cannot run
 * here: PostgreSQL without a server (see pg-global-setup.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RefundLedger } from '../src/ledger/ledger.js';
import { MemoryLedger } from '../src/ledger/memory-ledger.js';
import { openSqliteLedger } from '../src/ledger/sqlite-ledger.js';
import { openTestPostgresLedger, pgUrl } from './pg-support.js';

export interface LedgerStore {
  readonly name: 'memory' | 'sqlite' | 'postgres';
  /** A fresh, empty ledger; `now` is the test's clock (see above). */
  readonly open: (now?: () => Date) => Promise<RefundLedger>;
  /** `caller`: timestamps are exactly `now()`; `database`: the database's clock, moved by `now()`'s offset from real time. */
  readonly clock: 'caller' | 'database';
  /** Why this store is skipped here, when it is. */
  readonly skip?: string | undefined;
}

export const LEDGER_STORES: readonly LedgerStore[] = [
  { name: 'memory', clock: 'caller', open: async (now) => new MemoryLedger(now ? { now } : {}) },
  {
    name: 'sqlite',
    clock: 'caller',
    open: async (now) => {
      const dir = mkdtempSync(join(tmpdir(), 'refundkit-ledger-store-'));
      const ledger = await openSqliteLedger(join(dir, 'ledger.db'), now ? { now } : {});
      const close = ledger.close.bind(ledger);
      ledger.close = async () => {
        await close();
        rmSync(dir, { recursive: true, force: true });
      };
      return ledger;
    },
  },
  {
    name: 'postgres',
    clock: 'database',
    skip: pgUrl ? undefined : 'no PostgreSQL server (REFUNDKIT_TEST_PG_URL)',
    open: (now) => openTestPostgresLedger(now ? { now } : {}),
  },
];
