/**
 * `refundkit batch FILE` as a real process against the sandbox: 2,000 rows over the five
 * providers, each refund reaching the sandbox once; the same file again sending nothing; a run
 * killed with SIGKILL mid-way and run again ending with every row final and no refund twice; a
 * file with one bad row sending nothing.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '@refundkit/sandbox';
import { makeRows, refundedOnce, refundRequests, spawnCli, tempDir, until, writeConfig, writeCsv } from './support.js';

let sandbox: Sandbox;
const temp = tempDir();
let config: string;
beforeAll(async () => {
  sandbox = await startSandbox({ seed: false });
  const fast = { concurrency: 16, perSecond: 2_000 };
  config = writeConfig(temp.dir, sandbox, { concurrency: 64, limits: { easypay: fast, eftpay: fast, lianke: fast, tipay: fast, yima: fast } });
});
afterAll(async () => {
  await sandbox.close();
  temp.remove();
});

describe('refundkit batch, one process', () => {
  it('2,000 rows over all five providers: each refund reaches the sandbox once; the same file again sends nothing', async () => {
    const rows = makeRows(sandbox, 2_000);
    const file = writeCsv(temp.dir, 'two-thousand.csv', rows);
    const run = spawnCli(['batch', file, '--config', config, '--ledger', join(temp.dir, 'two-thousand.db'), '--report', 'two-thousand.jsonl'], temp.dir);
    const code = await run.exited;
    expect(run.err).toMatch(/refundkit: batch /); // plain progress lines: stderr is not a terminal
    expect([0, 4]).toContain(code);
    const requests = refundRequests(sandbox, rows);
    expect(requests.size).toBe(2_000);
    expect([...requests.values()].every((n) => n === 1)).toBe(true);
    expect(refundedOnce(sandbox, rows).wrong).toEqual([]);
    const report = readFileSync(join(temp.dir, 'two-thousand.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { status: string; refund_id: string });
    expect(report).toHaveLength(2_000);
    expect(report.every((r) => r.status === 'succeeded' || r.status === 'pending')).toBe(true);

    const before = sandbox.requests().filter((r) => r.operation === 'refund').length;
    const again = spawnCli(['batch', file, '--config', config, '--ledger', join(temp.dir, 'two-thousand.db'), '--json'], temp.dir);
    expect(await again.exited).toBe(0);
    expect(sandbox.requests().filter((r) => r.operation === 'refund').length).toBe(before);
    expect(JSON.parse(again.out.trim().split('\n').at(-1)!)).toMatchObject({ type: 'summary', counts: { total: 2_000, succeeded: 2_000 }, exit: 0 });
  }, 90_000);

  it('a run killed with SIGKILL mid-way, run again, ends with every row final and no refund twice', async () => {
    const rows = makeRows(sandbox, 300);
    const file = writeCsv(temp.dir, 'killed.csv', rows);
    const slow = writeConfig(join(temp.dir), sandbox, { limits: Object.fromEntries(['easypay', 'eftpay', 'lianke', 'tipay', 'yima'].map((p) => [p, { perSecond: 40, concurrency: 4 }])) });
    const ledger = join(temp.dir, 'killed.db');
    const first = spawnCli(['batch', file, '--config', slow, '--ledger', ledger, '--timeout', '2s'], temp.dir);
    await until(() => refundRequests(sandbox, rows).size >= 60, 30_000, '60 rows sent');
    first.child.kill('SIGKILL');
    await first.exited;
    const sentBefore = refundRequests(sandbox, rows).size;
    expect(sentBefore).toBeLessThan(300);
    const second = spawnCli(['batch', file, '--config', config, '--ledger', ledger, '--timeout', '2s', '--json'], temp.dir);
    const code = await second.exited;
    const summary = JSON.parse(second.out.trim().split('\n').at(-1)!) as { counts: Record<string, number> };
    expect(summary.counts['unknown']).toBe(0);
    expect(summary.counts['failed']).toBe(0);
    expect(summary.counts['notStarted']).toBe(0);
    expect([0, 4]).toContain(code);
    // The sandbox's books: every order refunded once, for its row's amount, whatever was in flight when the first run died.
    expect(refundedOnce(sandbox, rows).wrong).toEqual([]);
    // Rows the first run never sent were sent once; one in flight at the kill may be asked about and sent again under the same number.
    const requests = refundRequests(sandbox, rows);
    expect(requests.size).toBe(300);
    expect([...requests.values()].every((n) => n <= 2)).toBe(true);
  }, 90_000);

  it('a file with one bad row sends nothing: exit 1, its line and rule', async () => {
    const rows = makeRows(sandbox, 50);
    const file = writeCsv(temp.dir, 'one-bad.csv', rows);
    const text = readFileSync(file, 'utf8').split('\n');
    text[31] = text[31]!.replace(/,\d+\.\d\d,100\.00,/, ',-1.00,100.00,');
    const bad = join(temp.dir, 'one-bad-edited.csv');
    (await import('node:fs')).writeFileSync(bad, text.join('\n'));
    const before = sandbox.requests().length;
    const run = spawnCli(['batch', bad, '--config', config, '--ledger', join(temp.dir, 'one-bad.db')], temp.dir);
    expect(await run.exited).toBe(1);
    expect(run.err).toMatch(/1 bad row; nothing was sent/);
    expect(run.err).toMatch(/line 32: amount_invalid \(amount\)/);
    expect(sandbox.requests().length).toBe(before);
  }, 30_000);
});
