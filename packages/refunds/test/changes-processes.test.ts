/**
 * The change feed across processes (issue 20, "change feed", done when): a follower killed
 * mid-stream (SIGKILL) and started again from its cursor sees every transition of 1,000 refunds,
 * in order, none missing, none before the cursor repeated — while the refunds are being written,
 * on SQLite and on PostgreSQL. The follower runs the built package (dist/index.js, rebuilt when
 * stale: test/global-setup.ts) and writes each change it applies as a line of a file; the last
 * complete line is its cursor.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { RefundChange } from '../src/changes/change.js';
import type { RefundLedger } from '../src/ledger/ledger.js';
import { openSqliteLedger } from '../src/ledger/sqlite-ledger.js';
import type { PostgresLedger } from '../src/ledger/postgres-store.js';
import { adminPool, closeAdminPool, describePg, openTestPostgresLedger, pgUrl } from './pg-support.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const entry = join(root, 'dist', 'index.js');
const child = fileURLToPath(new URL('./fixtures/follow-child.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'refundkit-changes-processes-'));
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await closeAdminPool();
});

const ACCOUNT = '10012426723';
const REFUNDS = 1_000;
/** Each refund: reserved (new → unknown), answered pending by its sender, then succeeded by a query. */
const TRANSITIONS = [
  [null, 'unknown', 'reservation'],
  ['unknown', 'pending', 'refund'],
  ['pending', 'succeeded', 'query'],
];

/** Writes the transitions of `REFUNDS` refunds with `workers` writers at once (on PostgreSQL, each transaction on its own connection). */
async function writeRefunds(ledger: RefundLedger, workers: number): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (next < REFUNDS) {
        const n = next++;
        const key = { provider: 'tipay' as const, account: ACCOUNT, refundId: `R${String(n).padStart(5, '0')}` };
        const reservation = await ledger.reserve({ key: { ...key, orderId: `O${n}` }, amount: 100, currency: 'CNY', lease: { holder: `w${n}`, ttlMs: 60_000 } });
        if (reservation.outcome !== 'new') throw new Error(`${key.refundId}: ${reservation.outcome}`);
        await ledger.update(key, { source: 'refund', status: 'pending', providerRefundId: `P${n}`, lease: reservation.lease });
        await ledger.update(key, { source: 'query', status: 'succeeded', providerRefundId: `P${n}` });
        // SQLite's calls complete synchronously: without a turn of the event loop the whole
        // batch would be written before the follower even started.
        await new Promise((resolve) => setImmediate(resolve));
      }
    }),
  );
}

/** The complete lines of the follower's file (a line cut off by the kill is dropped from the file too). */
function appliedLines(out: string): RefundChange[] {
  if (!existsSync(out)) return [];
  const text = readFileSync(out, 'utf8');
  const end = text.lastIndexOf('\n') + 1;
  if (end < text.length) truncateSync(out, Buffer.byteLength(text.slice(0, end)));
  return text.slice(0, end).split('\n').filter(Boolean).map((line) => JSON.parse(line) as RefundChange);
}

function startFollower(where: string, schema: string, after: number, out: string): { proc: ChildProcessWithoutNullStreams; ready: Promise<void>; exited: Promise<NodeJS.Signals | null> } {
  const proc = spawn(process.execPath, [child, entry, where, schema, String(after), out, ACCOUNT], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => proc.once('exit', (_code, signal) => resolve(signal)));
  const ready = new Promise<void>((resolve, reject) => {
    proc.stdout.setEncoding('utf8').on('data', (chunk: string) => chunk.includes('ready') && resolve());
    void exited.then(() => reject(new Error(`the follower exited before it was ready: ${stderr}`)));
  });
  return { proc, ready, exited };
}

/** Until `out` holds at least `lines` complete lines (bounded: the test's own timeout). */
async function untilApplied(out: string, lines: number): Promise<void> {
  while (appliedLinesCount(out) < lines) await new Promise((resolve) => setTimeout(resolve, 20));
}
const appliedLinesCount = (out: string): number => (existsSync(out) ? readFileSync(out, 'utf8').split('\n').length - 1 : 0);

/**
 * Writes 1,000 refunds while a follower follows; kills it (SIGKILL) after every few hundred
 * changes it applied and starts it again from its cursor; then checks what it applied against
 * the feed.
 */
async function killAndResume(ledger: RefundLedger, where: string, schema: string, workers: number): Promise<{ restarts: number; starts: number[] }> {
  const out = join(dir, `applied-${schema}-${Date.now()}.jsonl`);
  const total = REFUNDS * TRANSITIONS.length;
  let written = false;
  const writing = writeRefunds(ledger, workers).then(() => void (written = true));
  let restarts = 0;
  let killedWhileWriting = 0;
  let runStarts: number[] = [];
  const starts: number[] = [];
  for (const killAt of [150, 900, 1_700, 2_400, total]) {
    const after = appliedLines(out).at(-1)?.seq ?? 0;
    starts.push(after);
    const follower = startFollower(where, schema, after, out);
    try {
      await follower.ready;
      await untilApplied(out, killAt);
      follower.proc.kill('SIGKILL');
      if (!written) killedWhileWriting++;
      expect(await follower.exited).toBe('SIGKILL');
      restarts++;
    } finally {
      if (follower.proc.exitCode === null && follower.proc.signalCode === null) follower.proc.kill('SIGKILL');
    }
  }
  await writing;
  runStarts = starts;
  const applied = appliedLines(out);
  // In order, none missing, none repeated: exactly 1, 2, …, total (the feed has no gaps).
  expect(applied.map((c) => c.seq)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
  // What the follower applied is the feed itself.
  const feed: RefundChange[] = [];
  for (let after = 0; ; ) {
    const page = await ledger.changes({ after, limit: 1_000 });
    if (page.length === 0) break;
    feed.push(...page);
    after = page.at(-1)!.seq;
  }
  expect(applied).toEqual(feed);
  // Every refund's transitions, in its own order.
  const byRefund = new Map<string, unknown[]>();
  for (const c of applied) byRefund.set(c.refundId, [...(byRefund.get(c.refundId) ?? []), [c.from, c.to, c.source]]);
  expect(byRefund.size).toBe(REFUNDS);
  for (const transitions of byRefund.values()) expect(transitions).toEqual(TRANSITIONS);
  // Each run started from the last line of the one before it (its cursor), most of them mid-stream.
  expect(runStarts[0]).toBe(0);
  expect(runStarts.every((s, i) => i === 0 || s >= runStarts[i - 1]!)).toBe(true);
  expect(new Set(runStarts.filter((s) => s > 0 && s < total)).size).toBeGreaterThanOrEqual(3);
  // The follower was killed while refunds were still being written (it keeps up with them).
  expect(killedWhileWriting).toBeGreaterThanOrEqual(2);
  return { restarts, starts: runStarts };
}

describe('the change feed across processes: a follower killed mid-stream and resumed from its cursor', () => {
  it('SQLite: every transition of 1,000 refunds, in order, none missing, none repeated', async () => {
    const file = join(dir, 'ledger.db');
    const ledger = await openSqliteLedger(file);
    try {
      const run = await killAndResume(ledger, file, '-', 4);
      expect(run.restarts).toBe(5);
      console.log(`SQLite follower restarts from seq ${run.starts.join(', ')}`);
    } finally {
      await ledger.close();
    }
  });
});

describePg('the change feed across processes on PostgreSQL', () => {
  it('every transition of 1,000 refunds written by 8 connections at once, in order, none missing, none repeated', async () => {
    const ledger = await openTestPostgresLedger({ poolSize: 8 });
    try {
      const run = await killAndResume(ledger, pgUrl!, ledger.schema, 8);
      expect(run.restarts).toBe(5);
      console.log(`PostgreSQL follower restarts from seq ${run.starts.join(', ')}`);
    } finally {
      await ledger.close();
    }
  });

  it('a change is never readable before one numbered ahead of it: a slow transaction holds the next writer back until it commits', async () => {
    const ledger = await openTestPostgresLedger();
    const client = await (await adminPool()).connect();
    try {
      const request = (refundId: string) => ({ key: { provider: 'tipay' as const, account: ACCOUNT, orderId: `O-${refundId}`, refundId }, amount: 1, currency: 'CNY', lease: { holder: refundId, ttlMs: 60_000 } });
      // A slow writer: its reservation (and change) in a transaction it keeps open.
      await client.query('BEGIN');
      await (ledger as PostgresLedger).reserveWith(client, request('slow'));
      // A fast writer on another order, committing meanwhile.
      const fast = ledger.reserve(request('fast'));
      await new Promise((resolve) => setTimeout(resolve, 300));
      // Had the fast one committed seq 2 ahead of the slow one's seq 1, a reader would now be at 2 and never see 1.
      expect(await ledger.changes({ after: 0, limit: 10 })).toEqual([]);
      await client.query('COMMIT');
      await fast;
      expect((await ledger.changes({ after: 0, limit: 10 })).map((c) => [c.seq, c.refundId])).toEqual([[1, 'slow'], [2, 'fast']]);
    } finally {
      client.release();
      await ledger.close();
    }
  });
});

