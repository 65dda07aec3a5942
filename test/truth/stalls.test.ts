/**
 * A sender stalled past its lease (issue "Refund truth under stalls and database faults", done
 * when): A reserves a refund of 60.00 on an order of 100.00 and stalls — after its reservation,
 * after its request left (the answer held back), or before it records the answer — for longer
 * than its lease. B takes over (queries, resends the same number). A wakes and goes on. C then
 * refunds 60.00 on the same order. Against the sandbox (the providers' model, its books the
 * truth) and every store, with the sandbox's `slow-commit` fault where the provider should still
 * be holding a request when the next one arrives:
 * - the sandbox never refunds more than the order;
 * - nobody is told `failed` for a number that moved money;
 * - after a final `get`, the ledger says what the sandbox holds.
 *
 * A stall is simulated in-process: the stalled step of A resolves late (a GC pause, a frozen VM
 * or a slow network look the same to the ledger and the provider: A's next step happens late).
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRefunds, MemoryLedger, openPostgresLedger, openSqliteLedger, type Refund, type RefundLedger } from '@refundkit/refunds';
import { startSandbox, type Sandbox } from '@refundkit/sandbox';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { providerConfigs, refundInput, type Provider } from '../reliability/support.js';

vi.setConfig({ testTimeout: 60_000 });

const PG_URL = process.env['REFUNDKIT_TEST_PG_URL'] || 'postgres://postgres@127.0.0.1:5432/test';
/** Each exchange's deadline and the lease: a short lease, so a stall past it takes seconds, not minutes. */
const TIMEOUT_MS = 1_000;
const LEASE_MS = 2_000;
const STALL_MS = LEASE_MS + 1_500;

let sandbox: Sandbox;
let dir: string;
const schemas: string[] = [];

beforeAll(async () => {
  sandbox = await startSandbox({ delayMs: 0 });
  dir = await mkdtemp(join(tmpdir(), 'refundkit-stalls-'));
});

afterAll(async () => {
  await sandbox?.close();
  await rm(dir, { recursive: true, force: true });
  if (schemas.length > 0) {
    const { default: pg } = (await import('pg' as string)) as { default: { Client: new (c: { connectionString: string }) => { connect(): Promise<void>; query(t: string): Promise<unknown>; end(): Promise<void> } } };
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
  }
});

/** A store: how each of the three senders opens its own connection to one shared ledger. */
type Store = readonly [name: string, open: () => Promise<() => Promise<RefundLedger>>];
const STORES: readonly Store[] = [
  [
    'memory',
    async () => {
      const shared = new MemoryLedger();
      // One ledger shared in process; `close` of one sender must not end it for the others.
      return async () =>
        new Proxy(shared, {
          get: (target, name) => {
            const value = Reflect.get(target, name) as unknown;
            if (name === 'close') return async () => {};
            return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
          },
        });
    },
  ],
  [
    'sqlite',
    async () => {
      const file = join(dir, `ledger-${randomBytes(4).toString('hex')}.db`);
      return () => openSqliteLedger(file);
    },
  ],
  [
    'postgres',
    async () => {
      const schema = `refundkit_stalls_${randomBytes(5).toString('hex')}`;
      schemas.push(schema);
      (await openPostgresLedger({ connectionString: PG_URL }, { schema, migrate: true })).close();
      return () => openPostgresLedger({ connectionString: PG_URL }, { schema });
    },
  ],
];

type StallPoint = 'after reserve' | 'after send' | 'before the update';
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The ledger A sees: its `reserve` or its write of an answer (`record`, or `update`) resolves late at the chosen step, once. */
function stalledLedger(ledger: RefundLedger, point: StallPoint): RefundLedger {
  let stalled = false;
  const once = async (): Promise<void> => {
    if (stalled) return;
    stalled = true;
    await sleep(STALL_MS);
  };
  return new Proxy(ledger, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver) as unknown;
      if (typeof value !== 'function') return value;
      if (name === 'reserve' && point === 'after reserve') {
        return async (...args: unknown[]) => {
          const result = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          await once();
          return result;
        };
      }
      if ((name === 'record' || name === 'update') && point === 'before the update') {
        return async (...args: unknown[]) => {
          await once();
          return (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        };
      }
      return (value as (...a: unknown[]) => unknown).bind(target);
    },
  });
}

/** A's fetch after a send: the answer arrived, and A hears it only after the stall (a slow network, a paused process). */
function stalledFetch(point: StallPoint): typeof fetch {
  let stalled = false;
  return async (input, init) => {
    const response = await fetch(input, init);
    const method = input instanceof Request ? input.method : init?.method;
    if (point === 'after send' && !stalled && method === 'POST') {
      stalled = true;
      await sleep(STALL_MS);
    }
    return response;
  };
}

const PROVIDER: Provider = 'tipay';
let counter = 0;
const newId = (tag: string): string => `ST${tag}${Date.now() % 1_000_000}${String(++counter).padStart(4, '0')}`;

describe.each(STORES)('a sender stalled past its lease: %s ledger', (_store, openStore) => {
  it.each([
    ['after reserve', false],
    ['after reserve', true],
    ['after send', false],
    ['after send', true],
    ['before the update', false],
  ] as const)('A stalls %s (the provider holding requests: %s): never over the order, never a false failed', async (point, holdCommits) => {
    const connect = await openStore();
    const orderId = sandbox.addOrder(PROVIDER, { orderId: newId('O'), amount: 10_000 }).orderId;
    const refundId = newId('R');
    if (holdCommits) sandbox.armFault({ provider: PROVIDER, fault: 'slow-commit', refundNo: refundId, ms: 600_000 });
    const providers = { [PROVIDER]: providerConfigs(sandbox)[PROVIDER] } as Parameters<typeof createRefunds>[0]['providers'];
    const options = { providers, timeoutMs: TIMEOUT_MS, leaseMs: LEASE_MS, inFlightWaitMs: 0 };
    const ledgers = [await connect(), await connect(), await connect()] as const;
    // After a send, A waits for its answer past its lease: its own deadline is longer than the
    // stall (else the deadline ends the exchange first, and A records `unknown` in its turn).
    const a = createRefunds({ ...options, ...(point === 'after send' ? { timeoutMs: STALL_MS + 1_500 } : {}), ledger: stalledLedger(ledgers[0], point), fetch: stalledFetch(point) });
    const b = createRefunds({ ...options, ledger: ledgers[1] });
    const c = createRefunds({ ...options, ledger: ledgers[2] });
    try {
      const input = refundInput(PROVIDER, orderId, refundId, 6_000, 10_000);
      const aDone = a.refund(input).then(
        (refund) => ({ refund }),
        (error: unknown) => ({ error }),
      );
      // B comes once A's lease has ended, while A is still stalled.
      await sleep(LEASE_MS + 300);
      const bRefund = await b.refund(input).catch((error: unknown) => ({ error }));
      const aResult = await aDone;
      const cResult = await c.refund(refundInput(PROVIDER, orderId, newId('C'), 6_000, 10_000)).then(
        (refund) => ({ refund }),
        (error: unknown) => ({ error }),
      );
      sandbox.releaseCommits({ provider: PROVIDER, refundNo: refundId });

      // The provider's books: never more than the order, the 60.00 refunded at most once.
      expect(sandbox.refundedTotal(PROVIDER, orderId)).toBeLessThanOrEqual(10_000);
      const atProvider = sandbox.refund(PROVIDER, refundId);
      // Nobody was told `failed` for a number that moved money.
      const told = [('refund' in aResult ? aResult.refund : undefined) as Refund | undefined, 'status' in bRefund ? (bRefund as Refund) : undefined];
      if (atProvider !== undefined) for (const refund of told) expect(refund?.status).not.toBe('failed');
      // With A's 60.00 at the provider (or still possible there), C's 60.00 is refused before it is sent.
      if (atProvider !== undefined) expect('error' in cResult ? (cResult.error as { code?: string }).code : 'sent').toBe('over_refund');

      // After the provider settles, asking again makes the ledger say what the provider holds.
      const provider = sandbox.refund(PROVIDER, refundId);
      if (provider === undefined) {
        // No request of this number reached the provider (a loaded machine's timeouts): never a success.
        expect((await b.get({ provider: PROVIDER, orderId, refundId })).status).not.toBe('succeeded');
      } else {
        const final = await vi.waitFor(
          async () => {
            const refund = await b.get({ provider: PROVIDER, orderId, refundId });
            expect(['succeeded', 'failed']).toContain(refund.status);
            return refund;
          },
          { timeout: 20_000, interval: 250 },
        );
        expect(final.status).toBe(provider.outcome);
      }
      // A's stalled step is in the history, fenced when it came after B's attempt.
      const history = await b.history({ provider: PROVIDER, orderId, refundId });
      if (point !== 'after reserve') expect(history.some((e) => e.verdict === 'late' && e.attempt === 1)).toBe(true);
      else expect(history.some((e) => e.failure?.code === 'lease_too_short' || e.kind === 'recovered')).toBe(true);
    } finally {
      await Promise.all([a.close(), b.close(), c.close()]);
    }
  });
});
