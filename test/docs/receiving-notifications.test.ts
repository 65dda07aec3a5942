/**
 * docs/receiving-notifications.md, tested as printed: every `ts` block type-checks (strict,
 * NodeNext, against the built packages and each framework's own typings), and each framework
 * block (`// express.ts`, `// fastify.ts`, `// hono.ts`, …) is imported as it is, mounted on
 * 127.0.0.1 and driven by the sandbox:
 * - the sandbox's signed EasyPay notification makes the refund succeeded through the framework
 *   alone (no query), and the same bytes again get exactly `{"code":"000000","msg":"Success"}`;
 * - a Ti-Pay notification signed over indented JSON (a body parser that re-serialised it would
 *   break the digest) is answered exactly `SUCCESS`: the raw body arrived intact;
 * - the merchant's own refund route answers an over-refund with `errorToHttp`'s 422.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { rmSync } from 'node:fs';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { serve } from '@hono/node-server';
import { createRefunds, MemoryLedger, type Refunds } from '@refundkit/refunds';
import { startSandbox, type Sandbox } from '@refundkit/sandbox';
import { Secret, tipaySignature } from '@refundkit/signing';
import { snippetsOf, typeCheck } from './readme-snippets.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const doc = join(root, 'docs', 'receiving-notifications.md');
const dir = join(root, 'test', '.notification-docs');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const snippets = snippetsOf(root, doc);
const errors = typeCheck(snippets, dir);
/** The blocks that name their file on their first line: the ones mounted and run below. */
const named = new Map<string, number>();
snippets.forEach((snippet, i) => {
  const file = /^\/\/ ([\w-]+)\.ts$/.exec(snippet.code.split('\n')[0]!)?.[1];
  if (file !== undefined) named.set(file, i);
});

describe('docs/receiving-notifications.md', () => {
  it('has the node:http, Express, Express raw, Fastify and Hono blocks', () => {
    expect([...named.keys()].sort()).toEqual(['express', 'express-raw', 'fastify', 'hono']);
    expect(snippets.length).toBe(5);
  });

  it('type-checks with no error outside the blocks', () => {
    expect(errors.get('(global)') ?? []).toEqual([]);
  });

  it.each(snippets.map((s) => [s.id, s] as const))('%s type-checks', (id) => {
    expect(errors.get(id)).toEqual([]);
  });
});

type AnyApp = { listen: unknown };
/** How each framework's app is served on 127.0.0.1, an ephemeral port, and stopped. */
const SERVE: Record<string, (app: AnyApp) => Promise<{ url: string; close(): Promise<void> }>> = {
  express: async (app) => nodeServer((app as unknown as { listen(port: number, host: string): Server }).listen(0, '127.0.0.1')),
  'express-raw': async (app) => nodeServer((app as unknown as { listen(port: number, host: string): Server }).listen(0, '127.0.0.1')),
  fastify: async (app) => {
    const fastify = app as unknown as { listen(o: { port: number; host: string }): Promise<string>; close(): Promise<void> };
    const url = await fastify.listen({ port: 0, host: '127.0.0.1' });
    return { url, close: () => fastify.close() };
  },
  hono: async (app) => nodeServer(serve({ fetch: (app as unknown as { fetch: (r: Request) => Response | Promise<Response> }).fetch, port: 0, hostname: '127.0.0.1' }) as Server),
};

async function nodeServer(server: Server): Promise<{ url: string; close(): Promise<void> }> {
  if (!server.listening) await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

let ids = 0;
const nextId = (prefix: string): string => `${prefix}${process.pid}${String(++ids).padStart(6, '0')}`.slice(0, 20);

describe.each(['express', 'express-raw', 'fastify', 'hono'])('the %s block, mounted as printed', (name) => {
  let sandbox: Sandbox;
  let refunds: Refunds<'easypay' | 'tipay'>;
  let server: { url: string; close(): Promise<void> };

  beforeEach(async () => {
    sandbox = await startSandbox({ easypayMode: 'async', delayMs: 150, notifications: { backoffMs: 20, maxAttempts: 3 } });
    const { easypay, tipay } = sandbox.credentials;
    refunds = createRefunds({
      providers: {
        easypay: { baseUrl: sandbox.urls.easypay, mchtCode: easypay.mchtCode, privateKey: new Secret(easypay.merchantPrivateKeyPem), easypayPublicKey: easypay.easypayPublicKeyPem },
        tipay: { baseUrl: sandbox.urls.tipay, appId: tipay.appId, appKey: new Secret(tipay.appKey), merchantNo: tipay.merchantNo },
      },
      ledger: new MemoryLedger(),
    });
    const module = (await import(pathToFileURL(join(dir, `snippet-${named.get(name)!}.ts`)).href)) as { createApp(r: typeof refunds): AnyApp | Promise<AnyApp> };
    server = await SERVE[name]!(await module.createApp(refunds));
  });

  afterEach(async () => {
    await sandbox.close();
    await server.close();
    await refunds.close();
    expect(sandbox.errors()).toEqual([]);
  });

  it('easypay: the sandbox’s signed notification makes the refund succeeded through it alone; the same bytes again get exactly the acknowledgement', async () => {
    const refund = await refunds.refund({
      provider: 'easypay',
      orderId: 'EP-PAID-0001',
      refundId: nextId('EPDOC'),
      amount: 123,
      currency: 'CNY',
      notifyUrl: `${server.url}/notify/easypay`,
      options: { payType: 'AliPayRefund', oriTransDate: '20250101' },
    });
    expect(refund.status).toBe('pending');
    await sandbox.notificationsIdle();
    const deliveries = sandbox.notifications();
    expect(deliveries).toMatchObject([{ provider: 'easypay', refundNo: refund.refundId, attempt: 1, status: 200, acked: true }]);
    expect((await refunds.history(refund)).at(-1)).toMatchObject({ source: 'notification', status: 'succeeded' });
    expect(sandbox.requests().filter((r) => r.operation === 'queryRefund')).toEqual([]);

    const again = await fetch(`${server.url}/notify/easypay`, { method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8' }, body: deliveries[0]!.body! });
    expect([again.status, again.headers.get('content-type'), await again.text()]).toEqual([200, 'application/json', '{"code":"000000","msg":"Success"}']);
  });

  it('tipay: a notification signed over its exact bytes (indented JSON) is answered exactly SUCCESS and applied: the raw body arrived intact', async () => {
    const refund = await refunds.refund({ provider: 'tipay', orderId: 'TP-PAID-0001', refundId: nextId('TPDOC'), amount: 250, currency: 'CNY' });
    expect(refund.status).toBe('pending');
    const { appId, appKey, merchantNo } = sandbox.credentials.tipay;
    const body = JSON.stringify(
      {
        merchantNo,
        orderId: refund.orderId,
        refundRequestId: refund.refundId,
        uniqueRefundNo: '1002202501010000000000000001',
        status: 'SUCCESS',
        refundAmount: '2.50',
        refundRequestDate: '2025-01-01 10:00:00',
        refundAccountDetail: '[{"accountType":"FUND_ACCOUNT","debitAmount":2.50}]',
      },
      null,
      2,
    );
    const timestamp = String(Date.now());
    const headers = { 'content-type': 'application/json', 'ti-appid': appId, 'ti-timestamp': timestamp, 'ti-signature': tipaySignature(body, timestamp, appKey) };
    const answer = await fetch(`${server.url}/notify/tipay`, { method: 'POST', headers, body });
    expect([answer.status, answer.headers.get('content-type'), await answer.text()]).toEqual([200, 'text/plain', 'SUCCESS']);
    expect((await refunds.history(refund)).at(-1)).toMatchObject({ source: 'notification', status: 'succeeded' });
    expect(sandbox.requests().filter((r) => r.operation === 'queryRefund')).toEqual([]);
  });

  // express-raw shows the notification route only.
  if (name !== 'express-raw')
    it('the merchant’s own route answers an over-refund with errorToHttp: 422 over_refund, nothing sent', async () => {
    const answer = await fetch(`${server.url}/refunds`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ provider: 'tipay', orderId: 'TP-PAID-0002', refundId: nextId('TPOVER'), amount: 5000, currency: 'CNY', orderAmount: 2500 }),
    });
    expect(answer.status).toBe(422);
    expect(await answer.json()).toEqual({ error: { code: 'over_refund', message: expect.stringContaining('2500 left'), sent: false } });
    expect(sandbox.requests()).toEqual([]);
  });
});
