// The process a merchant deploys: one node:http server with the notification routes, health and
// metrics, structured logs, and a clean shutdown that finishes what is in flight.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LedgerHealth } from '@refundkit/refunds';
import type { Logger } from 'pino';
import type { ServerMetrics } from './metrics.js';

/** A `node:http` listener (e.g. `toNodeHandler(createNotificationHandler(refunds))`). */
export type NodeListener = (req: IncomingMessage, res: ServerResponse) => void;

export interface ServerOptions {
  /** Where to listen. Default 127.0.0.1 and port 0 (a free one). */
  readonly host?: string | undefined;
  readonly port?: number | undefined;
  /** Serves `POST /notify/...` (the notification handler). */
  readonly notifications: NodeListener;
  /** `GET /healthz` asks this (the ledger reachable and its schema current). */
  health(): Promise<LedgerHealth>;
  readonly metrics: ServerMetrics;
  readonly logger: Logger;
  /**
   * Serves `/console` (the console page and its API): loaded at the first such request, so a
   * server nobody opens the console of never loads it. Absent: no console.
   */
  readonly console?: (() => Promise<MountedHandler>) | undefined;
  /** How long a shutdown waits for requests in flight before cutting them. Default 10 000 ms. */
  readonly shutdownGraceMs?: number | undefined;
}

/** A handler mounted under a path, with a way to end its long-lived answers (live streams) before a shutdown. */
export interface MountedHandler extends NodeListener {
  close?(): void;
}

export interface RunningServer {
  /** `http://host:port`. */
  readonly url: string;
  readonly port: number;
  /**
   * Stops accepting, lets requests in flight finish (up to the grace period), then closes every
   * connection. Idempotent.
   */
  close(): Promise<void>;
}

/** Starts the server; resolves once it listens. */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const { logger, metrics } = options;
  let inFlight = 0;
  let idle: (() => void) | undefined;
  let consoleHandler: Promise<MountedHandler> | undefined;

  const server: Server = createServer((req, res) => {
    inFlight++;
    const started = performance.now();
    // The path only: a query string could carry anything.
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    res.on('close', () => {
      inFlight--;
      logger.info({ method: req.method, path, status: res.statusCode, durationMs: Math.round(performance.now() - started) }, 'request');
      if (inFlight === 0) idle?.();
    });
    route(req, res, path).catch((error: unknown) => {
      logger.error({ path, error: error instanceof Error ? error.name : 'unknown' }, 'request failed');
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end('{"error":{"code":"internal_error","message":"the server failed; nothing was changed by this request"}}');
    });
  });

  async function route(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    if (path === '/healthz') {
      if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, { error: { code: 'method_not_allowed', message: 'use GET' } }, { allow: 'GET, HEAD' });
      const health = await options.health();
      return send(res, health.ok ? 200 : 503, { status: health.ok ? 'ok' : 'unavailable', ledger: health.detail });
    }
    if (path === '/metrics') {
      if (req.method !== 'GET') return send(res, 405, { error: { code: 'method_not_allowed', message: 'use GET' } }, { allow: 'GET' });
      const text = await metrics.render();
      res.writeHead(200, { 'content-type': metrics.contentType });
      res.end(text);
      return;
    }
    if (path === '/notify' || path.startsWith('/notify/')) return options.notifications(req, res);
    if (options.console !== undefined && (path === '/console' || path.startsWith('/console/'))) return (await (consoleHandler ??= options.console()))(req, res);
    return send(res, 404, { error: { code: 'not_found', message: `no route ${path}: the routes are POST /notify/<provider>[/<account>], GET /healthz, GET /metrics${options.console ? ', /console' : ''}` } });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  logger.info({ url }, 'listening');

  let closing: Promise<void> | undefined;
  return {
    url,
    port: address.port,
    close() {
      closing ??= (async () => {
        // The console's live streams never end by themselves: end them first.
        (await consoleHandler?.catch(() => undefined))?.close?.();
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        // Keep-alive connections with no request would hold `close` open: end them now.
        server.closeIdleConnections();
        if (inFlight > 0) {
          logger.info({ inFlight }, 'shutting down: finishing requests in flight');
          const drained = new Promise<void>((resolve) => (idle = resolve));
          const grace = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), options.shutdownGraceMs ?? 10_000).unref());
          if ((await Promise.race([drained, grace])) === 'timeout') {
            logger.warn({ inFlight }, 'shutdown grace period over: closing connections with requests in flight');
            server.closeAllConnections();
          }
        }
        // Nothing is in flight now: every connection left is idle, or open with no request yet (a
        // browser's preconnected socket, which closeIdleConnections leaves to Node's header
        // timeout, a minute or more). None carries a request: close them all.
        server.closeAllConnections();
        await closed;
        logger.info({}, 'stopped');
      })();
      return closing;
    },
  };
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
  res.end(JSON.stringify(body));
}
