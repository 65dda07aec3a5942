/**
 * Refund truth across processes (issue "Refund truth", done when): `refundkit refund` run as real
 * processes sharing one SQLite ledger, against the sandbox's `slow-commit` fault (the refund
 * commits only later; until then a query does not find it and the same number again is refused
 * as a duplicate). The sandbox's books say how many refund requests reached it.
 * - two processes, one refund id, while the first is in flight: one request, both `succeeded`;
 * - a process killed (SIGKILL) while its request is in flight: after its lease expires, the next
 *   process recovers the refund by a query (committed meanwhile: no second request), or resends
 *   the same number and calls the duplicate refusal `unknown` — never `failed`, never a new number.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRefunds, MemoryLedger } from '@refundkit/refunds';
import { startSandbox, type Sandbox } from '@refundkit/sandbox';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { OPTIONS, PROVIDERS, providerConfigs, refundInput, settle, type Provider } from '../reliability/support.js';

const BIN = join(import.meta.dirname, '..', '..', 'packages', 'cli', 'bin', 'refundkit.js');

let sandbox: Sandbox;
let dir: string;
let config: string;
let ledger: string;

beforeAll(async () => {
  sandbox = await startSandbox({ delayMs: 0 });
  dir = await mkdtemp(join(tmpdir(), 'refundkit-in-flight-'));
  config = join(dir, 'refundkit.config.json');
  ledger = join(dir, 'ledger.db');
  await writeFile(config, JSON.stringify({ providers: providerConfigs(sandbox) }));
});

afterAll(async () => {
  await sandbox?.close();
  await rm(dir, { recursive: true, force: true });
});

let counter = 0;
const newId = (provider: Provider, tag: string): string => `${provider.slice(0, 2).toUpperCase()}${tag}${String(Date.now() % 1_000_000).padStart(6, '0')}${String(++counter).padStart(5, '0')}`;

interface Run {
  readonly done: Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; err: string }>;
  kill(): void;
}

/** `refundkit refund … --json` as a process of its own. */
function refund(provider: Provider, orderId: string, refundId: string, extra: readonly string[] = []): Run {
  const options = Object.entries(OPTIONS[provider]).flatMap(([k, v]) => ['--option', `${k}=${v}`]);
  const args = [BIN, 'refund', '--provider', provider, '--order', orderId, '--refund-id', refundId, '--amount', '7.00', ...options, '--config', config, '--ledger', ledger, '--json', ...extra];
  const child = spawn(process.execPath, args, { cwd: dir, env: { PATH: process.env['PATH'] ?? '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; err: string }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, out, err })));
  return { done, kill: () => child.kill('SIGKILL') };
}

const statusOf = (out: string): string => (JSON.parse(out.trim()) as { status: string }).status;

async function untilHeld(provider: Provider, refundNo: string): Promise<void> {
  await vi.waitFor(() => expect(sandbox.pendingCommits()).toContainEqual({ provider, refundNo }), { timeout: 20_000, interval: 20 });
}

describe.each(PROVIDERS)('%s: one refund id, two callers in one process', (provider) => {
  it('while the first is in flight: one request reaches the provider, both end succeeded', async () => {
    const orderId = sandbox.addOrder(provider, { orderId: newId(provider, 'O'), amount: 10_000 }).orderId;
    const refundNo = newId(provider, 'P');
    sandbox.armFault({ provider, fault: 'slow-commit', refundNo, ms: 600_000 });
    const refunds = createRefunds({ providers: providerConfigs(sandbox), ledger: new MemoryLedger(), timeoutMs: 15_000 });
    const input = refundInput(provider, orderId, refundNo, 700);
    const first = refunds.refund(input);
    await untilHeld(provider, refundNo);
    const second = refunds.refund(input);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(sandbox.releaseCommits({ provider, refundNo })).toBe(1);
    const [a, b] = await Promise.all([first, second]);
    // A provider that answers "processing" is polled to its final status.
    const [finalA, finalB] = await Promise.all([settle(refunds, a), settle(refunds, b)]);
    expect([finalA.status, finalB.status]).toEqual(['succeeded', 'succeeded']);
    expect(sandbox.requestsReceived(provider, refundNo)).toBe(1);
    expect(sandbox.refundedTotal(provider, orderId)).toBe(700);
  });
});

describe.each(PROVIDERS)('%s: one refund id, several processes, one SQLite ledger', (provider) => {
  it('two processes while the first is in flight: one request reaches the provider, both end succeeded', async () => {
    const orderId = sandbox.addOrder(provider, { orderId: newId(provider, 'O'), amount: 10_000 }).orderId;
    const refundNo = newId(provider, 'R');
    sandbox.armFault({ provider, fault: 'slow-commit', refundNo, ms: 600_000 });
    // --wait: a provider that answers "processing" is polled to its final status.
    const first = refund(provider, orderId, refundNo, ['--wait']);
    await untilHeld(provider, refundNo);
    const second = refund(provider, orderId, refundNo, ['--wait']);
    // The second process waits for the holder; the provider commits; both learn the success.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(sandbox.releaseCommits({ provider, refundNo })).toBe(1);
    const [a, b] = await Promise.all([first.done, second.done]);
    expect([a.code, b.code], a.err + b.err).toEqual([0, 0]);
    expect([statusOf(a.out), statusOf(b.out)]).toEqual(['succeeded', 'succeeded']);
    expect(sandbox.requestsReceived(provider, refundNo)).toBe(1);
    expect(sandbox.refundedTotal(provider, orderId)).toBe(700);
  });
});

// Concurrent: each case waits out a lease (2 × 2 s + 5 s); the sandbox and ledger are shared, the ids distinct.
describe('a process killed while its refund is in flight', () => {
  it.concurrent.each(PROVIDERS)('%s: committed meanwhile → the next process recovers it by a query after the lease expires, no second request', async (provider) => {
    const orderId = sandbox.addOrder(provider, { orderId: newId(provider, 'O'), amount: 10_000 }).orderId;
    const refundNo = newId(provider, 'K');
    sandbox.armFault({ provider, fault: 'slow-commit', refundNo, ms: 600_000 });
    // --timeout 2s: the lease lasts 2 × 2 s + 5 s.
    const doomed = refund(provider, orderId, refundNo, ['--timeout', '2s']);
    await untilHeld(provider, refundNo);
    doomed.kill();
    expect((await doomed.done).signal).toBe('SIGKILL');
    sandbox.releaseCommits({ provider, refundNo });
    const next = await refund(provider, orderId, refundNo, ['--timeout', '2s']).done;
    expect(next.code, next.err).toBe(0);
    expect(statusOf(next.out)).toBe('succeeded');
    expect(sandbox.requestsReceived(provider, refundNo)).toBe(1);
    expect(sandbox.refundedTotal(provider, orderId)).toBe(700);
  });

  it.concurrent.each(PROVIDERS)('%s: not committed yet → the next process resends the same number; the duplicate refusal is unknown (exit 3), never failed', async (provider) => {
    const orderId = sandbox.addOrder(provider, { orderId: newId(provider, 'O'), amount: 10_000 }).orderId;
    const refundNo = newId(provider, 'N');
    sandbox.armFault({ provider, fault: 'slow-commit', refundNo, ms: 600_000 });
    const doomed = refund(provider, orderId, refundNo, ['--timeout', '2s']);
    await untilHeld(provider, refundNo);
    doomed.kill();
    await doomed.done;
    const next = await refund(provider, orderId, refundNo, ['--timeout', '2s']).done;
    expect(next.code, next.err).toBe(3);
    expect(statusOf(next.out)).toBe('unknown');
    expect(sandbox.requestsReceived(provider, refundNo)).toBe(2);
    // The provider commits the first request: a query decides, and the order is refunded once.
    sandbox.releaseCommits({ provider, refundNo });
    expect(sandbox.refundedTotal(provider, orderId)).toBe(700);
  });
});
