/**
 * `refundkit reconcile` (one run of the reconciler, for cron) and `refundkit status --unmatched`,
 * in process against a sandbox started here, with a config file and a SQLite ledger in a temp
 * dir. The sandbox's request log says what reached it: the reconciler only queries.
 */
import { join } from 'node:path';
import { openSqliteLedger } from '@refundkit/refunds';
import { startSandbox, type Sandbox } from '@refundkit/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, newId, providerConfigs, PROVIDERS, REQUIRED_OPTIONS, tempDir, writeConfig, type CliResult, type Provider } from './support.js';

let sandbox: Sandbox;
let tmp: { dir: string; remove: () => void };
let ledger: string;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, delayMs: 0 });
  tmp = tempDir();
  ledger = join(tmp.dir, 'ledger.db');
  writeConfig(tmp.dir, 'refundkit.config.json', { providers: providerConfigs(sandbox), ledger: 'ledger.db' });
});
afterAll(async () => {
  await sandbox?.close();
  tmp?.remove();
});

const inTmp = (argv: readonly string[]): Promise<CliResult> => cli(argv, { cwd: tmp.dir });

/** A refund left unknown: the provider commits it, then never answers (`--timeout 2s`: room for the request to arrive on a loaded machine). */
async function unknownRefund(provider: Provider): Promise<{ orderId: string; refundId: string }> {
  const orderId = sandbox.addOrder(provider, { orderId: newId(provider, 'rco'), amount: 10_000 }).orderId;
  const refundId = newId(provider, 'rcr');
  sandbox.armFault({ provider, fault: 'timeout-after-commit', refundNo: refundId });
  const sent = await inTmp(['refund', '--provider', provider, '--order', orderId, '--refund-id', refundId, '--amount=12.00', ...REQUIRED_OPTIONS[provider], '--timeout', '2s', '--json']);
  expect(sent.code).toBe(3);
  expect(sandbox.requestsReceived(provider, refundId)).toBe(1);
  return { orderId, refundId };
}

describe('refundkit reconcile', () => {
  it('resolves refunds left unknown (every configured provider) by queries, prints the summary, exits 0; a second run finds nothing due', async () => {
    const left = await Promise.all(PROVIDERS.map(async (provider) => ({ provider, ...(await unknownRefund(provider)) })));
    const before = sandbox.requests().length;
    const run = await inTmp(['reconcile', '--older-than', '0s', '--json']);
    expect(run).toMatchObject({ code: 0 });
    expect(JSON.parse(run.out)).toEqual({ checked: 5, resolved: { succeeded: 5, failed: 0 }, stillPending: 0, stillUnknown: 0, skipped: 0 });
    expect(run.err).toContain(`ledger ${ledger}`);
    const since = sandbox.requests().slice(before);
    expect(since.map((r) => r.operation)).toEqual(PROVIDERS.map(() => 'queryRefund'));
    for (const l of left) {
      expect(sandbox.requestsReceived(l.provider, l.refundId)).toBe(1);
      const status = await inTmp(['status', '--provider', l.provider, '--order', l.orderId, '--refund-id', l.refundId, '--json']);
      expect(JSON.parse(status.out)).toMatchObject({ status: 'succeeded', reconcile: { checks: 1 } });
    }
    const again = await inTmp(['reconcile', '--older-than', '0s']);
    expect(again).toMatchObject({ code: 0, out: 'reconciled: 0 checked (0 succeeded, 0 failed, 0 still pending, 0 still unknown), 0 skipped\n' });
  });

  it('--provider limits it to one provider; the default --older-than (5m) leaves a fresh refund for later', async () => {
    const tipay = await unknownRefund('tipay');
    const lianke = await unknownRefund('lianke');
    const young = await inTmp(['reconcile', '--json']);
    expect(JSON.parse(young.out)).toMatchObject({ checked: 0 });
    const one = await inTmp(['reconcile', '--provider', 'lianke', '--older-than', '0s', '--limit', '10', '--json']);
    expect(JSON.parse(one.out)).toMatchObject({ checked: 1, resolved: { succeeded: 1 } });
    const db = await openSqliteLedger(ledger);
    try {
      expect((await db.get({ provider: 'tipay', account: String(providerConfigs(sandbox).tipay['merchantNo']), refundId: tipay.refundId }))?.status).toBe('unknown');
      expect((await db.get({ provider: 'lianke', account: String(providerConfigs(sandbox).lianke['storeNo']), refundId: lianke.refundId }))?.status).toBe('succeeded');
    } finally {
      await db.close();
    }
  });

  it('refuses bad flags with exit 1, before reading anything', async () => {
    for (const argv of [['--limit', '0'], ['--limit', 'many'], ['--older-than', 'soon'], ['--provider', 'paypal'], ['--timeout', '0s']]) {
      const run = await inTmp(['reconcile', ...argv]);
      expect([argv, run.code, run.out]).toEqual([argv, 1, '']);
      expect(run.err).toMatch(/^refundkit: /);
    }
    expect((await inTmp(['reconcile', '--help'])).out).toContain('never sends a refund request');
  });
});

describe('refundkit status --unmatched', () => {
  it('lists the notifications that named a refund the ledger never saw, latest first; --json prints them as an array', async () => {
    const empty = await inTmp(['status', '--unmatched']);
    expect(empty).toMatchObject({ code: 0, out: 'no unmatched notifications\n' });
    const db = await openSqliteLedger(ledger);
    try {
      await db.keepUnmatched({ provider: 'easypay', account: 'M-1', refundId: 'R-ELSEWHERE', digest: 'a'.repeat(64), excerpt: '{"reqBody":"\u001b[31mred"}', verified: true });
      await db.keepUnmatched({ provider: 'tipay', account: 'M-2', refundId: 'R-TYPED', digest: 'b'.repeat(64), excerpt: '{"status":"SUCCESS"}', verified: false });
      await db.keepUnmatched({ provider: 'tipay', account: 'M-2', refundId: 'R-TYPED', digest: 'b'.repeat(64), excerpt: '{"status":"SUCCESS"}', verified: false });
    } finally {
      await db.close();
    }
    const listed = await inTmp(['status', '--unmatched']);
    expect(listed.code).toBe(0);
    const lines = listed.out.trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^tipay \(account M-2\) refund R-TYPED: 2 deliveries, unsigned, first \S+, last \S+$/);
    expect(lines[2]).toMatch(/^easypay \(account M-1\) refund R-ELSEWHERE: 1 delivery, signed/);
    // What the sender wrote cannot draw on the terminal.
    expect(listed.out).not.toContain('\u001b');
    const json = await inTmp(['status', '--unmatched', '--json', '--limit', '1']);
    expect(JSON.parse(json.out)).toEqual([expect.objectContaining({ provider: 'tipay', refundId: 'R-TYPED', deliveries: 2, verified: false })]);
    const mine = await inTmp(['status', '--unmatched', '--provider', 'tipay', '--json']);
    // Through the configured tipay account: M-2 is not it.
    expect(JSON.parse(mine.out)).toEqual([]);
    expect((await inTmp(['status', '--unmatched', '--order', 'o-1'])).code).toBe(1);
  });
});
