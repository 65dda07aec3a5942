import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * The SQLite ledger across processes. Child processes run the built package (dist/index.js,
 * rebuilt first when stale: test/global-setup.ts).
 */
const root = fileURLToPath(new URL('..', import.meta.url));
const entry = join(root, 'dist', 'index.js');
const child = fileURLToPath(new URL('./fixtures/ledger-race-child.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'refundkit-ledger-processes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Tally {
  new: number;
  existing: number;
  overRefund: number;
  other: string[];
  sharedNew: string[];
  overSeen: number;
}

/** Starts `count` children on one ledger file, releases them together once all are ready, and collects their tallies. */
async function race(file: string, count: number, args: { attempts: number; amount: number; orderAmount: number; sharedEvery: number }): Promise<Tally[]> {
  const children = Array.from({ length: count }, (_, index) =>
    spawn(process.execPath, [child, entry, file, String(index), String(args.attempts), String(args.amount), String(args.orderAmount), String(args.sharedEvery)], {
      stdio: ['pipe', 'pipe', 'pipe'],
    }),
  );
  const outputs = children.map((proc) => {
    let stdout = '';
    let stderr = '';
    proc.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    proc.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const ready = new Promise<void>((resolve, reject) => {
      const check = (): void => {
        if (stdout.startsWith('ready\n')) resolve();
      };
      proc.stdout.on('data', check);
      proc.once('exit', (code) => reject(new Error(`child exited (${code}) before ready: ${stderr}`)));
    });
    const done = new Promise<Tally>((resolve, reject) => {
      proc.once('exit', (code) => {
        if (code !== 0) return reject(new Error(`child exited with ${code}: ${stderr}`));
        const last = stdout.trim().split('\n').at(-1) ?? '';
        resolve(JSON.parse(last) as Tally);
      });
    });
    return { ready, done };
  });
  try {
    await Promise.all(outputs.map((o) => o.ready));
    for (const proc of children) proc.stdin.end('go\n');
    return await Promise.all(outputs.map((o) => o.done));
  } finally {
    for (const proc of children) if (proc.exitCode === null) proc.kill();
  }
}

describe('SQLite ledger across processes', () => {
  it('never reserves more than the order when 4 processes race on it', async () => {
    const file = join(dir, 'race.db'); // fresh: the children also race to create the schema
    const processes = 4;
    const attempts = 40;
    const amount = 125;
    const orderAmount = 10_000; // 4 × 40 × 125 = 20 000 asked for: twice the order
    const tallies = await race(file, processes, { attempts, amount, orderAmount, sharedEvery: 8 });

    for (const t of tallies) {
      expect(t.other).toEqual([]); // no busy errors, no other outcome
      expect(t.overSeen).toBe(0); // no reader ever saw more held than the order
      expect(t.new + t.existing + t.overRefund).toBe(attempts);
    }
    const created = tallies.reduce((sum, t) => sum + t.new, 0);
    // The order fills exactly: 10 000 / 125 refunds, no more (over-refund) and no fewer (lost reservations).
    expect(created).toBe(orderAmount / amount);
    expect(tallies.filter((t) => t.new > 0).length).toBeGreaterThanOrEqual(2); // they really did race

    // Each shared refund id was created by one process at most.
    const sharedNew = tallies.flatMap((t) => t.sharedNew);
    expect(new Set(sharedNew).size).toBe(sharedNew.length);

    const { openSqliteLedger } = (await import(entry)) as typeof import('../src/index.js');
    const ledger = await openSqliteLedger(file);
    try {
      const refunds = await ledger.refundsOf({ provider: 'tipay', account: 'M1', orderId: 'race-order' });
      expect(refunds).toHaveLength(created);
      expect(refunds.reduce((sum, r) => sum + r.amount, 0)).toBe(orderAmount);
      expect(refunds.filter((r) => r.refundId.startsWith('shared-')).map((r) => r.refundId).sort()).toEqual([...sharedNew].sort());
    } finally {
      await ledger.close();
    }
  });

  it('loads better-sqlite3 only when a SQLite ledger is opened', () => {
    const script = `
      import { createRequire } from 'node:module';
      const loaded = () => Object.keys(createRequire(import.meta.url).cache).some((k) => k.includes('better-sqlite3'));
      const refunds = await import(${JSON.stringify(entry)});
      const before = loaded();
      const ledger = await refunds.openSqliteLedger(':memory:');
      await ledger.close();
      process.stdout.write(JSON.stringify({ before, after: loaded() }));
    `;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({ before: false, after: true });
  });
});
