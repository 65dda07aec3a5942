import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { migratePostgresLedger, openPostgresLedger } from '../src/ledger/postgres-ledger.js';
import { closeAdminPool, describePg, dropSchema, freshSchemaName, pgUrl } from './pg-support.js';

/**
 * The PostgreSQL ledger across processes, through the real server: every child opens its own
 * pool on one schema, as instances of an app on several machines would. Children run the built
 * package (dist/index.js, rebuilt first when stale: test/global-setup.ts).
 */
const root = fileURLToPath(new URL('..', import.meta.url));
const entry = join(root, 'dist', 'index.js');
const child = fileURLToPath(new URL('./fixtures/ledger-pg-race-child.mjs', import.meta.url));
const schemas: string[] = [];
afterAll(async () => {
  await Promise.all(schemas.map(dropSchema));
  await closeAdminPool();
});

async function migratedSchema(): Promise<string> {
  const schema = freshSchemaName();
  schemas.push(schema);
  await migratePostgresLedger({ connectionString: pgUrl! }, { schema });
  return schema;
}

interface Child {
  readonly proc: ChildProcessWithoutNullStreams;
  readonly ready: Promise<void>;
  /** The next JSON line the child prints after "ready". */
  readonly result: Promise<unknown>;
  readonly exited: Promise<number | null>;
}

function start(args: string[]): Child {
  const proc = spawn(process.execPath, [child, entry, pgUrl!, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stdout.setEncoding('utf8');
  proc.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const ready = new Promise<void>((resolve, reject) => {
    proc.stdout.on('data', (chunk: string) => {
      stdout += chunk;
      if (stdout.startsWith('ready\n')) resolve();
    });
    void exited.then((code) => reject(new Error(`child exited (${code}) before ready: ${stderr}`)));
  });
  const result = new Promise<unknown>((resolve, reject) => {
    proc.stdout.on('data', () => {
      const lines = stdout.split('\n');
      if (lines.length > 2 && lines[1]) resolve(JSON.parse(lines[1]));
    });
    void exited.then((code) => reject(new Error(`child exited (${code}) without a result: ${stderr}`)));
  });
  return { proc, ready, result, exited };
}

/** Starts children, releases them together once all are ready, and collects what each prints. */
async function race<T>(argsOf: (index: number) => string[], count: number): Promise<T[]> {
  const children = Array.from({ length: count }, (_, index) => start(argsOf(index)));
  try {
    await Promise.all(children.map((c) => c.ready));
    for (const c of children) c.proc.stdin.end('go\n');
    const results = (await Promise.all(children.map((c) => c.result))) as T[];
    expect(await Promise.all(children.map((c) => c.exited))).toEqual(children.map(() => 0));
    return results;
  } finally {
    for (const c of children) if (c.proc.exitCode === null) c.proc.kill('SIGKILL');
  }
}

describePg('PostgreSQL ledger across processes', () => {
  it('8 processes × 25 reservations of 1000 on one order of 10 000: exactly 10 reserved, the rest OverRefundError', async () => {
    const schema = await migratedSchema();
    const tallies = await race<{ new: number; overRefund: number; other: string[] }>((i) => [schema, 'order', String(i), '25', '1000', '10000'], 8);
    for (const t of tallies) {
      expect(t.other).toEqual([]);
      expect(t.new + t.overRefund).toBe(25);
    }
    expect(tallies.reduce((sum, t) => sum + t.new, 0)).toBe(10);

    const ledger = await openPostgresLedger({ connectionString: pgUrl! }, { schema });
    try {
      const refunds = await ledger.refundsOf({ provider: 'tipay', account: 'merchant-1', orderId: 'race-order-0' });
      expect(refunds).toHaveLength(10);
      expect(refunds.reduce((sum, r) => sum + r.amount, 0)).toBe(10_000);
      expect(await ledger.orderAmount({ provider: 'tipay', account: 'merchant-1', orderId: 'race-order-0' })).toBe(10_000);
    } finally {
      await ledger.close();
    }
  });

  it('8 processes × 40 reservations of 1000 spread over 20 orders of 2000 (20 races at the last slot): every order exactly full', async () => {
    const schema = await migratedSchema();
    const tallies = await race<{ new: number; overRefund: number; other: string[] }>((i) => [schema, 'order', String(i), '40', '1000', '2000', '20'], 8);
    expect(tallies.flatMap((t) => t.other)).toEqual([]);
    expect(tallies.reduce((sum, t) => sum + t.new, 0)).toBe(40);
    const ledger = await openPostgresLedger({ connectionString: pgUrl! }, { schema });
    try {
      for (let o = 0; o < 20; o++) {
        const refunds = await ledger.refundsOf({ provider: 'tipay', account: 'merchant-1', orderId: `race-order-${o}` });
        expect(refunds.reduce((sum, r) => sum + r.amount, 0)).toBe(2000);
      }
    } finally {
      await ledger.close();
    }
  });

  it('8 processes with one refund id: one new, the others in_flight (the first holds its lease)', async () => {
    const schema = await migratedSchema();
    const results = await race<{ outcome: string }>((i) => [schema, 'same', String(i)], 8);
    const outcomes = results.map((r) => r.outcome).sort();
    expect(outcomes).toEqual(['in_flight', 'in_flight', 'in_flight', 'in_flight', 'in_flight', 'in_flight', 'in_flight', 'new']);
  });

  it('a process killed (SIGKILL) while holding a lease: others get in_flight until the lease ends, then recover, never new', async () => {
    const schema = await migratedSchema();
    const holder = start([schema, 'hold', '0']);
    try {
      await holder.ready;
      holder.proc.stdin.end('go\n');
      const held = (await holder.result) as { outcome: string; lease: { expiresAt: string; attempt: number } };
      expect(held.outcome).toBe('new');
      holder.proc.kill('SIGKILL');
      expect(await holder.exited).toBe(null);
    } finally {
      if (holder.proc.exitCode === null) holder.proc.kill('SIGKILL');
    }

    const ledger = await openPostgresLedger({ connectionString: pgUrl! }, { schema });
    try {
      const request = { key: { provider: 'tipay' as const, account: 'merchant-1', orderId: 'held-order', refundId: 'held-refund' }, amount: 500, currency: 'CNY', orderAmount: 1000, lease: { holder: 'survivor', ttlMs: 60_000 } };
      const outcomes: string[] = [];
      for (let i = 0; i < 200; i++) {
        const reservation = await ledger.reserve(request);
        outcomes.push(reservation.outcome);
        if (reservation.outcome !== 'in_flight') {
          expect(reservation.outcome).toBe('recover');
          if (reservation.outcome === 'recover') {
            expect(reservation.lease).toMatchObject({ holder: 'survivor', attempt: 2 });
            expect(reservation.providerMayKnow).toBe(true); // the killed sender may have reached the provider: query first
          }
          break;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(outcomes[0]).toBe('in_flight');
      expect(outcomes.at(-1)).toBe('recover');
      expect(outcomes.slice(0, -1).every((o) => o === 'in_flight')).toBe(true);
      const refunds = await ledger.refundsOf({ provider: 'tipay', account: 'merchant-1', orderId: 'held-order' });
      expect(refunds.map((r) => [r.refundId, r.attempts])).toEqual([['held-refund', 2]]);
      expect((await ledger.history(request.key)).map((e) => e.kind)).toEqual(['reserved', 'recovered']);
    } finally {
      await ledger.close();
    }
  });

  it('loads pg only when a PostgreSQL ledger is opened', () => {
    const script = `
      import { createRequire } from 'node:module';
      const loaded = () => Object.keys(createRequire(import.meta.url).cache).some((k) => k.includes('/node_modules/pg/'));
      const refunds = await import(${JSON.stringify(entry)});
      const before = loaded();
      const ledger = await refunds.openPostgresLedger({ connectionString: ${JSON.stringify(pgUrl)} }, { schema: ${JSON.stringify(schemas[0] ?? 'refundkit')} }).catch((e) => e);
      if (typeof ledger.close === 'function') await ledger.close();
      process.stdout.write(JSON.stringify({ before, after: loaded() }));
    `;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({ before: false, after: true });
  });
});
