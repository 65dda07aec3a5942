/**
 * `refundkit batch FILE --queue` and `refundkit worker` processes against the sandbox and a real
 * PostgreSQL: 2,000 rows over four workers, each refund reaching the sandbox once, the starts per
 * second of each provider account held across the workers (the sandbox's request times); a worker
 * killed with SIGKILL mid-run, its jobs taken on by the others, every row final, no refund twice;
 * a bad file enqueuing and sending nothing.
 */
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '@refundkit/sandbox';
import { freshLedger, makeRows, PROVIDERS, refundedOnce, refundRequests, spawnCli, tempDir, until, writeConfig, writeCsv, type Spawned } from './support.js';

let sandbox: Sandbox;
const temp = tempDir();
beforeAll(async () => {
  sandbox = await startSandbox({ seed: false });
});
afterAll(async () => {
  await sandbox.close();
  temp.remove();
});
const running: Spawned[] = [];
const drops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const p of running.splice(0)) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  for (const drop of drops.splice(0)) await drop();
});

const workers = (n: number, config: string, url: string, extra: string[] = []): Spawned[] =>
  Array.from({ length: n }, () => {
    const w = spawnCli(['worker', '--config', config, '--ledger', url, '--concurrency', '8', '--timeout', '2s', ...extra], temp.dir);
    running.push(w);
    return w;
  });

describe('refundkit batch --queue and refundkit worker', () => {
  it('2,000 rows over 4 worker processes: each refund reaches the sandbox once; starts per second hold across the workers', async () => {
    const ledger = await freshLedger();
    drops.push(ledger.drop);
    const perSecond = 150;
    const config = writeConfig(temp.dir, sandbox, { limits: Object.fromEntries(PROVIDERS.map((p) => [p, { perSecond, concurrency: 8 }])) });
    const rows = makeRows(sandbox, 2_000);
    const file = writeCsv(temp.dir, 'queued.csv', rows);
    const pool = workers(4, config, ledger.url);
    const run = spawnCli(['batch', file, '--queue', '--config', config, '--ledger', ledger.url, '--json'], temp.dir);
    running.push(run);
    const code = await run.exited;
    expect(run.err).toMatch(/2000 rows enqueued/);
    expect([0, 4]).toContain(code);
    const summary = JSON.parse(run.out.trim().split('\n').at(-1)!) as { counts: Record<string, number>; jobsLeft: number };
    expect(summary.jobsLeft).toBe(0);
    expect(summary.counts['succeeded']! + summary.counts['pending']!).toBe(2_000);
    const requests = refundRequests(sandbox, rows);
    expect(requests.size).toBe(2_000);
    expect([...requests.values()].every((n) => n === 1)).toBe(true);
    expect(refundedOnce(sandbox, rows).wrong).toEqual([]);
    // The jobs were spread: every worker sent some.
    for (const w of pool) w.child.kill('SIGTERM');
    const codes = await Promise.all(pool.map((w) => w.exited));
    expect(codes).toEqual([0, 0, 0, 0]);
    expect(pool.every((w) => /worker: [1-9]\d* rows done/.test(w.err))).toBe(true);
    // Starts per second per provider account, across the four workers: no one-second window holds more than perSecond (+1 for edges).
    const ids = new Set(rows.map((r) => r.refundId));
    for (const provider of PROVIDERS) {
      const times = sandbox.requests().filter((r) => r.provider === provider && r.operation === 'refund' && r.refundNo !== undefined && ids.has(r.refundNo)).map((r) => r.at).sort((a, b) => a - b);
      expect(times).toHaveLength(400);
      let most = 0;
      for (let i = 0, j = 0; i < times.length; i++) {
        while (times[i]! - times[j]! >= 1_000) j++;
        most = Math.max(most, i - j + 1);
      }
      expect(most, provider).toBeLessThanOrEqual(perSecond + 1);
      expect(times.at(-1)! - times[0]!, provider).toBeGreaterThanOrEqual(((400 - 1) * 1000) / perSecond - 50);
    }
  }, 150_000);

  it('a worker killed with SIGKILL mid-run: the others finish its rows; every row final, no refund twice', async () => {
    const ledger = await freshLedger();
    drops.push(ledger.drop);
    const config = writeConfig(temp.dir, sandbox, { limits: Object.fromEntries(PROVIDERS.map((p) => [p, { perSecond: 40, concurrency: 4 }])) });
    const rows = makeRows(sandbox, 300);
    const file = writeCsv(temp.dir, 'killed-worker.csv', rows);
    const [victim, survivor] = workers(2, config, ledger.url);
    const run = spawnCli(['batch', file, '--queue', '--config', config, '--ledger', ledger.url, '--json'], temp.dir);
    running.push(run);
    await until(() => /worker: [1-9]/.test(victim!.err) || refundRequests(sandbox, rows).size >= 60, 30_000, 'rows sent');
    victim!.child.kill('SIGKILL');
    const code = await run.exited;
    expect([0, 4]).toContain(code);
    const summary = JSON.parse(run.out.trim().split('\n').at(-1)!) as { counts: Record<string, number>; jobsLeft: number };
    expect(summary.jobsLeft).toBe(0);
    expect(summary.counts['unknown']).toBe(0);
    expect(summary.counts['failed']).toBe(0);
    expect(refundedOnce(sandbox, rows).wrong).toEqual([]);
    const requests = refundRequests(sandbox, rows);
    expect(requests.size).toBe(300);
    expect([...requests.values()].every((n) => n <= 2)).toBe(true);
    survivor!.child.kill('SIGTERM');
    expect(await survivor!.exited).toBe(0);
  }, 120_000);

  it('a file with one bad row enqueues nothing and sends nothing (exit 1)', async () => {
    const ledger = await freshLedger();
    drops.push(ledger.drop);
    const config = writeConfig(temp.dir, sandbox, {});
    const rows = makeRows(sandbox, 20);
    const bad = [...rows.slice(0, 10), { ...rows[10]!, provider: 'nopay' as never }, ...rows.slice(11)];
    const file = writeCsv(temp.dir, 'queued-bad.csv', bad);
    const before = sandbox.requests().length;
    const run = spawnCli(['batch', file, '--queue', '--config', config, '--ledger', ledger.url], temp.dir);
    expect(await run.exited).toBe(1);
    expect(run.err).toMatch(/line 12: /);
    expect(run.err).toMatch(/nothing was sent/);
    expect(sandbox.requests().length).toBe(before);
    const { rows: refunds } = await ledger.pool.query(`SELECT count(*)::int AS n FROM "${ledger.schema}".refunds`);
    expect(refunds[0]).toEqual({ n: 0 });
  }, 30_000);
});
