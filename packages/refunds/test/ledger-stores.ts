import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import type { RefundLedger } from '../src/ledger/ledger.js';
import { MemoryLedger } from '../src/ledger/memory-ledger.js';
import { openSqliteLedger } from '../src/ledger/sqlite-ledger.js';
import { openTestPostgresLedger, pgUrl } from './pg-support.js';

/**
 * A ledger under test, and a way to move its clock forward (lease expiry): the memory and SQLite
 * stores read an injected clock; a store timed by its database moves that clock its own way.
 */
export interface OpenedStore {
  readonly ledger: RefundLedger;
  advance(ms: number): void;
}

export type StoreFactory = readonly [name: string, open: () => Promise<OpenedStore>];

const dir = mkdtempSync(join(tmpdir(), 'refundkit-ledger-stores-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

/** A clock starting at 2025-01-01T00:00:00Z that only moves when told. */
function manualClock(): { now: () => number; advance(ms: number): void } {
  let t = Date.UTC(2025, 0, 1);
  return { now: () => t, advance: (ms) => void (t += ms) };
}

/**
 * Every store the `RefundLedger` contract is run against. PostgreSQL is there when a server is
 * (test/pg-global-setup.ts; without one, that setup prints the one line saying how to run it):
 * each ledger in a fresh schema, dropped by `close()`, its clock frozen and moved like the
 * others' through the test-only `testClock` (the database's own clock, which it reads
 * otherwise, is tested in ledger-postgres.test.ts and through processes).
 */
export const STORES: readonly StoreFactory[] = [
  [
    'memory',
    async () => {
      const clock = manualClock();
      return { ledger: new MemoryLedger({ now: clock.now }), advance: clock.advance };
    },
  ],
  [
    'sqlite',
    async () => {
      const clock = manualClock();
      return { ledger: await openSqliteLedger(join(dir, `store-${files++}.db`), { now: clock.now }), advance: clock.advance };
    },
  ],
  ...(pgUrl
    ? [
        [
          'postgres',
          async () => {
            const clock = manualClock();
            return { ledger: await openTestPostgresLedger({ testClock: clock.now }), advance: clock.advance };
          },
        ] as const,
      ]
    : []),
];
