import { Writable } from 'node:stream';
import type { RefundTotal } from '@refundkit/refunds';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createLogger, createMetrics, refundsLogger, startServer, type NodeListener } from '../src/index.js';

/** A pino destination collecting lines. */
function lines(): { stream: Writable; lines: string[] } {
  const collected: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      collected.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  return { stream, lines: collected };
}

const TOTALS: RefundTotal[] = [
  { provider: 'tipay', account: 'M1', status: 'succeeded', count: 3, amount: 3_000 },
  { provider: 'tipay', account: 'M1', status: 'unknown', count: 2, amount: 50 },
  { provider: 'easypay', account: 'E1', status: 'pending', count: 1, amount: 7 },
];

describe('metrics', () => {
  it('reads refund counts, amounts and the backlog from the ledger at each scrape, and counts exchanges and notifications', async () => {
    let totals = TOTALS;
    const metrics = createMetrics({ totals: async () => totals }, { processMetrics: false });
    metrics.observeExchange({ provider: 'tipay', operation: 'refund', refundId: 'r', method: 'POST', url: 'https://x/y', status: 200, durationMs: 120 });
    metrics.observeExchange({ provider: 'tipay', operation: 'queryRefund', refundId: 'r', method: 'GET', url: 'https://x/y', error: 'TimeoutError', durationMs: 30_000 });
    metrics.countNotification('tipay', 'applied');
    metrics.countNotification('tipay', 'refused');
    metrics.countNotification('tipay', 'refused');
    const text = await metrics.render();
    expect(text).toContain('refundkit_refunds{provider="tipay",account="M1",status="succeeded"} 3');
    expect(text).toContain('refundkit_refund_amount_minor_units{provider="tipay",account="M1",status="unknown"} 50');
    expect(text).toContain('refundkit_reconciler_backlog{provider="tipay",account="M1"} 2');
    expect(text).toContain('refundkit_reconciler_backlog{provider="easypay",account="E1"} 1');
    expect(text).toContain('refundkit_provider_exchange_seconds_count{provider="tipay",operation="refund",outcome="200"} 1');
    expect(text).toContain('refundkit_provider_exchange_seconds_count{provider="tipay",operation="queryRefund",outcome="TimeoutError"} 1');
    expect(text).toContain('refundkit_notifications_total{provider="tipay",outcome="refused"} 2');
    expect(text).toContain('refundkit_ledger_scrape_errors 0');
    // The next scrape reads the ledger again: a refund that settled is no longer in the backlog.
    totals = [{ provider: 'tipay', account: 'M1', status: 'succeeded', count: 5, amount: 3_050 }];
    const next = await metrics.render();
    expect(next).toContain('refundkit_refunds{provider="tipay",account="M1",status="succeeded"} 5');
    expect(next).not.toContain('status="unknown"');
    expect(next).not.toContain('refundkit_reconciler_backlog{');
  });

  it('says when the ledger cannot be read, keeping the last counts', async () => {
    let down = false;
    const metrics = createMetrics({ totals: async () => (down ? Promise.reject(new Error('ledger down')) : TOTALS) }, { processMetrics: false });
    await metrics.render();
    down = true;
    const text = await metrics.render();
    expect(text).toContain('refundkit_ledger_scrape_errors 1');
    expect(text).toContain('refundkit_refunds{provider="tipay",account="M1",status="succeeded"} 3');
  });
});

describe('logger', () => {
  it('writes JSON lines and redacts fields named like secrets, wherever they are', () => {
    const out = lines();
    const logger = createLogger({ level: 'debug', destination: out.stream as never });
    refundsLogger(logger).warn('refundkit refund outcome unknown', { provider: 'tipay', appKey: 'k-123-secret', details: { secretCode: 's-456-secret' } });
    logger.info({ headers: { authorization: 'Bearer t-789-secret' }, rawBody: '{"x":1}' }, 'request');
    logger.flush();
    return new Promise<void>((resolve) =>
      setImmediate(() => {
        const text = out.lines.join('\n');
        expect(text).not.toMatch(/k-123-secret|s-456-secret|t-789-secret|"x":1/);
        const first = JSON.parse(out.lines[0]!) as Record<string, unknown>;
        expect(first).toMatchObject({ msg: 'refundkit refund outcome unknown', provider: 'tipay', appKey: '[redacted]', service: 'refundkit', level: 40 });
        resolve();
      }),
    );
  });
});

describe('the server', () => {
  async function start(notifications: NodeListener, healthy = true) {
    const out = lines();
    const logger = pino({ level: 'info' }, out.stream);
    const metrics = createMetrics({ totals: async () => TOTALS }, { processMetrics: false });
    const server = await startServer({ notifications, health: async () => ({ ok: healthy, detail: healthy ? 'schema 1' : 'schema 0, this refundkit writes 1' }), metrics, logger, shutdownGraceMs: 5_000 });
    return { server, lines: out.lines };
  }

  it('routes health, metrics and notifications, 404 elsewhere, 405 for other methods, and logs each request without its query string', async () => {
    const seen: string[] = [];
    const { server, lines: logged } = await start((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      res.writeHead(200, { 'content-type': 'text/plain' }).end('SUCCESS');
    });
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const health = await fetch(`${server.url}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: 'ok', ledger: 'schema 1' });
      const metrics = await fetch(`${server.url}/metrics`);
      expect(metrics.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(await metrics.text()).toContain('refundkit_refunds{');
      expect(await (await fetch(`${server.url}/notify/tipay?token=abc`, { method: 'POST', body: '{}' })).text()).toBe('SUCCESS');
      expect(seen).toEqual(['POST /notify/tipay?token=abc']);
      expect((await fetch(`${server.url}/elsewhere`)).status).toBe(404);
      expect((await fetch(`${server.url}/metrics`, { method: 'POST' })).status).toBe(405);
    } finally {
      await server.close();
    }
    const requests = logged.map((l) => JSON.parse(l) as { msg: string; path?: string }).filter((l) => l.msg === 'request');
    expect(requests.map((r) => r.path)).toContain('/notify/tipay');
    expect(logged.join('\n')).not.toContain('token=abc');
  });

  it('answers 503 on /healthz when the ledger is not usable', async () => {
    const { server } = await start((_req, res) => res.end(), false);
    try {
      const health = await fetch(`${server.url}/healthz`);
      expect(health.status).toBe(503);
      expect(await health.json()).toMatchObject({ status: 'unavailable' });
    } finally {
      await server.close();
    }
  });

  it('on close, stops accepting and lets a request in flight finish before it resolves', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let arrived!: () => void;
    const inside = new Promise<void>((resolve) => (arrived = resolve));
    const { server } = await start((_req, res) => {
      arrived();
      void held.then(() => res.writeHead(200).end('SUCCESS'));
    });
    const answer = fetch(`${server.url}/notify/tipay`, { method: 'POST', body: '{}' });
    await inside;
    let closed = false;
    const closing = server.close().then(() => (closed = true));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(closed).toBe(false);
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
    release();
    expect(await (await answer).text()).toBe('SUCCESS');
    await closing;
    expect(closed).toBe(true);
  });
});

describe('the console mount', () => {
  it('loads the console at its first /console request only, serves it there, and ends its streams before a shutdown', async () => {
    const metrics = createMetrics({ totals: async () => [] }, { processMetrics: false });
    const logger = createLogger({ level: 'silent' });
    let loads = 0;
    let closedStreams = 0;
    const server = await startServer({
      notifications: (_req, res) => void res.end(),
      health: async () => ({ ok: true, detail: 'ok' }),
      metrics,
      logger,
      console: async () => {
        loads++;
        const handler = ((req, res) => {
          res.writeHead(200, { 'content-type': 'text/plain' });
          res.end(`console ${req.url}`);
        }) as NodeListener & { close(): void };
        handler.close = () => void closedStreams++;
        return handler;
      },
    });
    try {
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
      expect(loads).toBe(0);
      expect(await (await fetch(`${server.url}/console/api/session`)).text()).toBe('console /console/api/session');
      expect(await (await fetch(`${server.url}/console`)).text()).toBe('console /console');
      expect(loads).toBe(1);
      // Only /console and what is under it: /consoles is not the console's.
      expect((await fetch(`${server.url}/consoles`)).status).toBe(404);
    } finally {
      await server.close();
    }
    expect(closedStreams).toBe(1);
  });
});
