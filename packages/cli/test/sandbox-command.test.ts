/**
 * `refundkit sandbox` in process: started on port 0 with a `stop` promise the test resolves, its
 * printed URLs answer, and once stopped it returns 0 and the port is closed.
 */
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { Sandbox } from '@refundkit/sandbox';
import { sandboxCommand } from '../src/commands/sandbox.js';
import { cli, PROVIDERS, tempDir } from './support.js';

interface Started {
  readonly sandbox: Sandbox;
  readonly out: () => string;
  readonly err: () => string;
  readonly stop: () => void;
  readonly done: Promise<number>;
}

/** Starts the command; resolves once it is listening. */
async function start(args: string[]): Promise<Started> {
  let out = '';
  let err = '';
  let stop!: () => void;
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  let ready!: (sandbox: Sandbox) => void;
  const listening = new Promise<Sandbox>((resolve) => (ready = resolve));
  const done = sandboxCommand(args, { stdout: { write: (c: string) => (out += c) }, stderr: { write: (c: string) => (err += c) } }, { stop: stopped, onReady: ready });
  // Fails fast if the command returns without ever listening.
  const sandbox = await Promise.race([listening, done.then((code) => Promise.reject(new Error(`sandbox command exited ${code}: ${err}`)))]);
  return { sandbox, out: () => out, err: () => err, stop, done };
}

async function expectClosed(url: string): Promise<void> {
  await expect(fetch(url, { method: 'POST', body: '{}' })).rejects.toThrow();
}

describe('refundkit sandbox', () => {
  it('--json on port 0: one JSON line with the five URLs, which answer a lianke refund; stop returns 0 and closes the port', async () => {
    const s = await start(['--port', '0', '--json']);
    let stopped = false;
    try {
      const lines = s.out().split('\n').filter(Boolean);
      expect(lines).toHaveLength(1);
      const printed = JSON.parse(lines[0]!) as { baseUrl: string; urls: Record<string, string>; endpoints: Record<string, { refund: string; queryRefund: string }>; credentials: Record<string, unknown> };
      expect(printed.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(printed.baseUrl).not.toMatch(/:0$/);
      expect(printed.baseUrl).toBe(s.sandbox.baseUrl);
      expect(Object.keys(printed.urls).sort()).toEqual([...PROVIDERS]);
      for (const provider of PROVIDERS) expect(printed.urls[provider]!.startsWith(printed.baseUrl), provider).toBe(true);
      expect(printed.urls['yima']).toBe(`${printed.baseUrl}/ipos`);
      expect(Object.keys(printed.credentials).sort()).toEqual([...PROVIDERS]);

      const response = await fetch(printed.endpoints['lianke']!.refund, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ store_no: 'SBX-STORE-01', operator: 'sandbox', refund_amount: 150, order_no: 'LK-PAID-0002', refund_no: 'LK-CMD-TEST-1' }),
      });
      expect(response.status).toBe(200);
      const answer = (await response.json()) as { code: string; data: { transaction_status: string; refund_amount: number } };
      expect(answer.code).toBe('SUCCESS');
      expect(answer.data).toMatchObject({ transaction_status: 'CREATE', refund_amount: 150 });
      expect(s.sandbox.refundedTotal('lianke', 'LK-PAID-0002')).toBe(150);

      s.stop();
      stopped = true;
      expect(await s.done).toBe(0);
      expect(s.err()).toContain('refundkit sandbox: stopped');
      await expectClosed(printed.endpoints['lianke']!.refund);
    } finally {
      if (!stopped) {
        s.stop();
        await s.done;
      }
    }
  });

  it('the banner names every provider URL; stop returns 0', async () => {
    const s = await start(['--port', '0', '--delay-ms', '50', '--easypay-mode', 'async']);
    try {
      for (const provider of PROVIDERS) expect(s.out(), provider).toContain(s.sandbox.urls[provider]);
      expect(s.out()).toContain('Press Ctrl-C to stop.');
      const health = await fetch(`${s.sandbox.controlUrl}/orders?provider=tipay`);
      expect(health.status).toBe(200);
    } finally {
      s.stop();
    }
    expect(await s.done).toBe(0);
    await expectClosed(s.sandbox.endpoints.tipay.refund);
  });

  it('--notification-fault, repeated: armed for every notification (listed in --json and by the control endpoint), and delivered so', async () => {
    const s = await start(['--port', '0', '--json', '--notification-fault', 'bad-signature', '--notification-fault', 'delay;ms=20', '--notification-fault', 'duplicate;count=2']);
    try {
      const printed = JSON.parse(s.out().trim()) as { notificationFaults: unknown[] };
      const expected = [
        { fault: 'bad-signature', provider: 'any', remaining: null },
        { fault: 'delay', provider: 'any', remaining: null, ms: 20 },
        { fault: 'duplicate', provider: 'any', remaining: null, count: 2 },
      ];
      expect(printed.notificationFaults).toMatchObject(expected);
      const listed = (await (await fetch(`${s.sandbox.controlUrl}/notification-faults`)).json()) as { faults: unknown[] };
      expect(listed.faults).toMatchObject(expected);

      // Ti-Pay's ti-signature, computed here as its document says: sha256(body + timestamp + AppKey), hex.
      const tipaySignature = (body: string, timestamp: string, appKey: string): string => createHash('sha256').update(body + timestamp + appKey).digest('hex');
      // A tipay refund naming a receiver on 127.0.0.1 that acknowledges only unsigned (genuine) notifications.
      const received: { signature: string | undefined; body: string }[] = [];
      const receiver = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const signature = req.headers['ti-signature'] as string | undefined;
          received.push({ signature, body: Buffer.concat(chunks).toString('utf8') });
          res.writeHead(signature === undefined ? 200 : 401, { connection: 'close' }).end(signature === undefined ? 'SUCCESS' : 'FAIL');
        });
      });
      await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
      try {
        const { appId, appKey, merchantNo } = s.sandbox.credentials.tipay;
        const body = JSON.stringify({ merchantNo, orderId: 'TP-PAID-0001', refundRequestId: 'TP-CMD-NOTIFY-1', refundAmount: '1.00', notifyUrl: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/notify/tipay` });
        const timestamp = String(Date.now());
        const answer = await fetch(s.sandbox.endpoints.tipay.refund, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'ti-appid': appId, 'ti-timestamp': timestamp, 'ti-signature': tipaySignature(body, timestamp, appKey) },
          body,
        });
        expect(answer.status).toBe(200);
        await s.sandbox.notificationsIdle();
        expect(s.sandbox.notifications().map((d) => [d.fault, d.status, d.duplicate])).toEqual([
          ['bad-signature', 401, false],
          [undefined, 200, false],
          ['duplicate', 200, true],
          ['duplicate', 200, true],
        ]);
        expect(received[0]!.signature).toMatch(/^[0-9a-f]{64}$/);
        expect(received[0]!.signature).not.toBe(tipaySignature(received[0]!.body, timestamp, appKey));
        expect(new Set(received.slice(1).map((r) => r.body)).size).toBe(1);
      } finally {
        await new Promise<void>((resolve) => {
          receiver.close(() => resolve());
          receiver.closeAllConnections();
        });
      }
    } finally {
      s.stop();
    }
    expect(await s.done).toBe(0);
  });

  it('the banner names the notification faults armed', async () => {
    const s = await start(['--port', '0', '--notification-fault', 'wrong-merchant']);
    try {
      expect(s.out()).toMatch(/Notification faults \(--notification-fault or POST \/__sandbox\/notification-faults\): duplicate, delay, bad-signature, altered-amount, wrong-merchant; armed for every notification: wrong-merchant/);
    } finally {
      s.stop();
    }
    expect(await s.done).toBe(0);
  });

  it('a notification fault the sandbox cannot honour exits 1 without listening, naming it', async () => {
    for (const [flag, message] of [
      ['lost', /unknown notification fault "lost"; known: duplicate, delay, bad-signature, altered-amount, wrong-merchant/],
      ['delay;ms=soon', /cannot read parameter "ms=soon"/],
      ['delay;ms=600001', /ms must be an integer from 0 to 600000/],
      ['duplicate;count=0', /count must be an integer from 1 to 10/],
      ['bad-signature;count=2', /count applies to duplicate only/],
    ] as const) {
      let err = '';
      let listened = false;
      const code = await sandboxCommand(['--port', '0', '--notification-fault', flag], { stdout: { write: () => true }, stderr: { write: (c: string) => (err += c) } }, { stop: Promise.resolve(), onReady: () => (listened = true) });
      expect(code, flag).toBe(1);
      expect(listened).toBe(false);
      expect(err).toMatch(/^refundkit sandbox: --notification-fault: /);
      expect(err).toMatch(message);
    }
  });

  it('bad options exit 1 without listening', async () => {
    for (const args of [['--port', 'abc'], ['--port', '70000'], ['--easypay-mode', 'later'], ['--bogus']]) {
      let err = '';
      let listened = false;
      const code = await sandboxCommand(args, { stdout: { write: () => true }, stderr: { write: (c: string) => (err += c) } }, { stop: Promise.resolve(), onReady: () => (listened = true) });
      expect(code, args.join(' ')).toBe(1);
      expect(listened).toBe(false);
      expect(err).toMatch(/^refundkit sandbox: /);
    }
  });

  it('refundkit sandbox --help through run', async () => {
    const tmp = tempDir();
    try {
      const result = await cli(['sandbox', '--help'], { cwd: tmp.dir });
      expect(result.code).toBe(0);
      expect(result.out).toContain('Usage: refundkit sandbox [options]');
    } finally {
      tmp.remove();
    }
  });

  it('serves the console at /console/: the sandbox views only (no ledger), its switches reaching this sandbox', async () => {
    const s = await start(['--port', '0']);
    try {
      expect(s.out()).toContain(`Console: ${s.sandbox.baseUrl}/console/`);
      const page = await fetch(`${s.sandbox.baseUrl}/console/`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
      const csrf = /name="refundkit-csrf" content="([^"]+)"/.exec(await page.text())![1]!;
      expect(await (await fetch(`${s.sandbox.baseUrl}/console/api/session`)).json()).toMatchObject({ ledger: false, sandbox: true });
      expect((await fetch(`${s.sandbox.baseUrl}/console/api/refunds`)).status).toBe(404);
      const orders = (await (await fetch(`${s.sandbox.baseUrl}/console/api/sandbox/orders?provider=tipay`)).json()) as { orders: { orderId: string }[] };
      expect(orders.orders.map((o) => o.orderId)).toContain('TP-PAID-0001');
      // An action from the page arms a fault in this very sandbox.
      const armed = await fetch(`${s.sandbox.baseUrl}/console/api/sandbox/faults`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-refundkit-csrf': csrf }, body: JSON.stringify({ provider: 'tipay', fault: 'http-500' }) });
      expect(armed.status).toBe(201);
      expect(s.sandbox.armedFaults().map((f) => f.fault)).toEqual(['http-500']);
      // Without the page's CSRF value, nothing is armed.
      const forged = await fetch(`${s.sandbox.baseUrl}/console/api/sandbox/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ provider: 'tipay', fault: 'http-500' }) });
      expect(forged.status).toBe(403);
      expect(s.sandbox.armedFaults()).toHaveLength(1);
    } finally {
      s.stop();
      expect(await s.done).toBe(0);
    }
  });
});
