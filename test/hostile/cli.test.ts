/**
 * The `refundkit` command against a hostile provider: one representative case per provider, run
 * as a real process (packages/cli/bin/refundkit.js) with a config pointing at the fake. Each
 * exits 3 (unknown: the refund was sent), prints the case's code, stays under a memory limit
 * (its own peak RSS, reported by the child on exit) and leaves a ledger file that holds no
 * whole body.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteLedger } from '@refundkit/refunds';
import { startSandbox, type Sandbox } from '@refundkit/sandbox';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { gzipBombMember, startFakeProvider, type FakeProvider, type Provider } from './fake-provider.js';
import { hostileConfigs, idFor, OPTIONS, RAW_LIMIT_CHARS } from './support.js';

vi.setConfig({ testTimeout: 90_000, hookTimeout: 60_000 });

const BIN = join(import.meta.dirname, '..', '..', 'packages', 'cli', 'bin', 'refundkit.js');
/** Prints the child's peak resident set on exit (stderr), so its memory can be bounded. */
const PEAK_RSS_HOOK = join(import.meta.dirname, 'peak-rss.cjs');

/**
 * The CLI's peak RSS limit: 256 MiB. A bare `refundkit` run (Node, the facade, SQLite) peaks near
 * 100 MiB; before the answer cap the gzip bomb took it to 3.19 GB.
 */
const CLI_PEAK_RSS_LIMIT = 256 * 1024 * 1024;
/** The ledger file may hold excerpts, never a whole hostile body (each is over 1 MiB or 35 KB deep). */
const LEDGER_FILE_LIMIT = 1024 * 1024;

/** One case per provider: the size family for some, the decode family for the others. */
const REPRESENTATIVE: ReadonlyArray<readonly [Provider, string, string]> = [
  ['easypay', 'gzip-bomb', 'answer_too_large'],
  ['eftpay', 'deep-json', 'answer_too_deep'],
  ['lianke', 'duplicate-key', 'answer_duplicate_key'],
  ['tipay', 'endless', 'answer_too_large'],
  ['yima', 'repeated-id', 'answer_repeated_element'],
];

let sandbox: Sandbox;
let fake: FakeProvider;
let dir: string;

beforeAll(async () => {
  gzipBombMember();
  sandbox = await startSandbox({ delayMs: 0 });
  fake = await startFakeProvider(sandbox);
  dir = mkdtempSync(join(tmpdir(), 'refundkit-hostile-'));
});

afterAll(async () => {
  await fake?.close();
  await sandbox?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the bin asynchronously (the fake provider lives in this process, so spawnSync would deadlock). */
function refundkit(args: readonly string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--require', PEAK_RSS_HOOK, BIN, ...args], { cwd: dir, env: { PATH: process.env['PATH'] ?? '' }, timeout: 60_000, maxBuffer: 8 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

describe('the CLI meets a hostile provider', () => {
  it.each(REPRESENTATIVE.map(([provider, name, code], n) => [provider, name, code, n] as const))('%s, %s: exits 3 with %s, memory bounded, no whole body in the ledger', async (provider, name, code, n) => {
    const orderId = sandbox.addOrder(provider, { orderId: idFor(provider, 'CLXORD', n), amount: 10_000 }).orderId;
    const refundId = idFor(provider, 'CLXRFD', n);
    const config = join(dir, `${provider}-${name}.json`);
    const ledger = join(dir, `${provider}-${name}.db`);
    writeFileSync(config, JSON.stringify({ providers: { [provider]: hostileConfigs(sandbox, fake, name)[provider] } }));
    const options = Object.entries(OPTIONS[provider]).flatMap(([key, value]) => ['--option', `${key}=${value}`]);
    const currency = provider === 'eftpay' ? ['--currency', 'HKD'] : [];
    const run = await refundkit(['refund', '--provider', provider, '--order', orderId, '--refund-id', refundId, '--amount', '12.00', '--order-amount', '100.00', ...currency, ...options, '--config', config, '--ledger', ledger, '--timeout', '20s', '--json']);

    expect(run.code, run.stderr).toBe(3);
    expect(sandbox.requestsReceived(provider, refundId)).toBe(1);
    const refund = JSON.parse(run.stdout) as { status: string; account: string; failure?: { code: string } };
    expect(refund.status).toBe('unknown');
    expect(refund.failure?.code).toBe(code);
    const peak = Number(/peak-rss=(\d+)/.exec(run.stderr)?.[1]);
    expect(peak, run.stderr).toBeGreaterThan(0);
    expect(peak, `peak RSS ${(peak / 2 ** 20).toFixed(0)} MiB`).toBeLessThan(CLI_PEAK_RSS_LIMIT);
    expect(statSync(ledger).size).toBeLessThan(LEDGER_FILE_LIMIT);
    const store = await openSqliteLedger(ledger);
    try {
      const stored = await store.get({ provider, account: refund.account, refundId });
      expect(stored?.status).toBe('unknown');
      expect(stored?.raw?.length ?? 0, `the ledger's raw is ${stored?.raw?.length} characters`).toBeLessThanOrEqual(RAW_LIMIT_CHARS);
    } finally {
      await store.close();
    }
  });
});
