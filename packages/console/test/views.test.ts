/**
 * What the console's API puts on a page: amounts in major units with their currency (exact),
 * the provider's time zone, and never a provider's raw answer, a lease holder or a body the
 * sandbox sent.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Refund, RefundEvent } from '@refundkit/refunds';
import { afterEach, describe, expect, it } from 'vitest';
import { eventView, filterOf, majorText, refundView, totalsView } from '../src/ledger-api.js';
import { SandboxLink } from '../src/sandbox-link.js';

const REFUND: Refund = {
  provider: 'eftpay',
  account: 'shop-hk',
  orderId: 'O-1',
  refundId: 'R-1',
  amount: 1_000_001,
  currency: 'HKD',
  status: 'unknown',
  raw: '{"sign":"ABCDEF","secret_code_echo":"x"}',
  attempts: 1,
  providerMayKnow: true,
  lease: { holder: 'holder-6f1c', attempt: 1, expiresAt: '2026-12-04T10:00:00.000Z' },
  createdAt: '2026-12-04T09:00:00.000Z',
  updatedAt: '2026-12-04T09:00:01.000Z',
};

describe('ledger views', () => {
  it('a refund: major units with currency, the provider zone; no raw answer, no lease holder', () => {
    const view = refundView(REFUND);
    expect(view.amountText).toBe('10000.01 HKD');
    expect(view.timeZone).toBe('Asia/Hong_Kong');
    expect(JSON.stringify(view)).not.toContain('ABCDEF');
    expect(JSON.stringify(view)).not.toContain('holder-6f1c');
    expect(view.lease).toEqual({ attempt: 1, expiresAt: '2026-12-04T10:00:00.000Z' });
  });

  it('a history entry keeps what happened, not the answer text or the holder', () => {
    const event: RefundEvent = { at: '2026-12-04T09:00:01.000Z', kind: 'answer', source: 'refund', status: 'unknown', statusAfter: 'unknown', attempt: 1, raw: '<xml>secretish</xml>', holder: 'h-1' };
    expect(eventView(event)).toEqual({ at: '2026-12-04T09:00:01.000Z', kind: 'answer', source: 'refund', status: 'unknown', statusAfter: 'unknown', attempt: 1 });
  });

  it('totals per provider and status sum the accounts; a provider of two currencies says so', () => {
    const totals = totalsView([
      { provider: 'tipay', account: 'A', status: 'succeeded', count: 2, amount: 150 },
      { provider: 'tipay', account: 'B', status: 'succeeded', count: 1, amount: 5 },
      { provider: 'eftpay', account: 'H', status: 'failed', count: 1, amount: 99 },
    ]);
    expect(totals).toContainEqual({ provider: 'tipay', status: 'succeeded', count: 3, amount: 155, amountText: '1.55 CNY' });
    expect(totals.find((t) => t.provider === 'eftpay')?.amountText).toMatch(/^0\.99 \(HKD \+ CNY\)$|^0\.99 \(CNY \+ HKD\)$/);
    expect(majorText(5, 'CNY')).toBe('0.05 CNY');
  });

  it('reads the list filter from the address: statuses repeat, empty fields are absent', () => {
    expect(filterOf(new URLSearchParams('provider=tipay&status=pending&status=unknown&account=&limit=25&batch=run-1'))).toEqual({ provider: 'tipay', status: ['pending', 'unknown'], limit: 25, batch: 'run-1' });
  });
});

describe('the sandbox link', () => {
  let server: Server | undefined;
  afterEach(async () => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  it('forwards only the calls it names, and drops the bodies of delivered notifications', async () => {
    const seen: string[] = [];
    server = createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ notifications: [{ provider: 'tipay', refundNo: 'R', attempt: 1, acked: true, body: '{"signed":"payload"}' }] }));
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const link = new SandboxLink(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    const answer = await link.call('notifications', 'GET', '', undefined);
    expect(answer.body).toEqual({ notifications: [{ provider: 'tipay', refundNo: 'R', attempt: 1, acked: true }] });
    expect((await link.call('commits', 'POST', '', '{}')).status).toBe(404);
    expect((await link.call('faults', 'PUT', '', '{}')).status).toBe(404);
    expect(seen).toEqual(['GET /__sandbox/notifications']);
    expect(SandboxLink.serves('settle', 'POST')).toBe(true);
    expect(SandboxLink.serves('settle', 'GET')).toBe(false);
  });
});
