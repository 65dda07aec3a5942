/**
 * The console's `node:http` handler, mounted at `/console` by `refundkit serve` and
 * `refundkit sandbox`: the page and its assets (built into this package, so it works offline
 * with no build step), the JSON API under `/console/api/…`, live changes as server-sent events.
 * Every request passes the guard first (`guard.ts`); every answer carries a strict CSP.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { RefundkitError, ValidationError, type ProviderKey, PROVIDERS } from '@refundkit/refunds';
import { REGISTRY } from '@refundkit/registry';
import { TOKEN_COOKIE, refuse, type GuardConfig } from './guard.js';
import { PROVIDER_TIME_ZONES, batchesView, filterOf, refundPage, refundView, totalsView, unmatchedView, type ConsoleRefunds } from './ledger-api.js';
import { LiveChanges } from './live-changes.js';
import { SandboxLink } from './sandbox-link.js';

export const CONSOLE_PREFIX = '/console';

export interface ConsoleOptions {
  /** The ledger views read this (a `Refunds` instance); without it, only the sandbox views. */
  readonly refunds?: ConsoleRefunds | undefined;
  /** The sandbox views drive this sandbox (`http://127.0.0.1:<port>`); without it, none. */
  readonly sandboxUrl?: string | undefined;
  /** The address the server listens on: beyond loopback, `token` is required. */
  readonly bindHost: string;
  readonly token?: string | undefined;
  /** Host names (besides loopback names and IP addresses) the console may be addressed by. */
  readonly allowedHostNames?: readonly string[] | undefined;
  /** How often the live view reads the feed when nothing wakes it (default 500 ms). */
  readonly pollMs?: number | undefined;
}

export interface ConsoleHandler {
  (req: IncomingMessage, res: ServerResponse): void;
  /** Ends the live streams (call before closing the server, or it waits for them). */
  close(): void;
}

/** The strict policy of every answer: this origin's script and style only, no frames, no inline code. */
export const CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const SECURITY_HEADERS = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

/** The built page: `dist/assets/` (from src/ in tests, from dist/ once built). */
const ASSETS_DIR = fileURLToPath(new URL('../dist/assets/', import.meta.url));
const ASSET_TYPES: Readonly<Record<string, string>> = { 'app.js': 'text/javascript; charset=utf-8', 'app.css': 'text/css; charset=utf-8', 'icon.svg': 'image/svg+xml' };
const MAX_BODY_BYTES = 64 * 1024;

export function createConsoleHandler(options: ConsoleOptions): ConsoleHandler {
  const csrf = randomBytes(24).toString('base64url');
  const guard: GuardConfig = { bindHost: options.bindHost, token: options.token, allowedHostNames: options.allowedHostNames, csrf };
  const refunds = options.refunds;
  const sandbox = options.sandboxUrl === undefined ? undefined : new SandboxLink(options.sandboxUrl);
  const live = refunds === undefined ? undefined : new LiveChanges(refunds, options.pollMs === undefined ? {} : { pollMs: options.pollMs });
  const assets = new Map<string, Buffer>();

  async function asset(name: string): Promise<Buffer> {
    let content = assets.get(name);
    if (content === undefined) {
      content = await readFile(join(ASSETS_DIR, name));
      assets.set(name, content);
    }
    return content;
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://console.invalid');
    const path = url.pathname;
    const method = req.method ?? 'GET';
    const queryToken = path === `${CONSOLE_PREFIX}/` ? (url.searchParams.get('token') ?? undefined) : undefined;
    const refusal = refuse(guard, { method, headers: req.headers, port: req.socket.localPort ?? 0 }, queryToken);
    if (refusal !== undefined) return sendJson(res, refusal.status, { error: { code: refusal.code, message: refusal.message } });

    if (path === CONSOLE_PREFIX) return redirect(res, `${CONSOLE_PREFIX}/`);
    if (path === `${CONSOLE_PREFIX}/`) {
      if (queryToken !== undefined) {
        // Kept in a cookie the page's scripts cannot read, sent only to the console; the link's token leaves the address bar.
        res.setHeader('set-cookie', `${TOKEN_COOKIE}=${encodeURIComponent(queryToken)}; HttpOnly; SameSite=Strict; Path=${CONSOLE_PREFIX}`);
        return redirect(res, `${CONSOLE_PREFIX}/`);
      }
      const html = (await asset('index.html')).toString('utf8').replace('__CSRF__', csrf);
      return send(res, 200, 'text/html; charset=utf-8', html);
    }
    if (path.startsWith(`${CONSOLE_PREFIX}/assets/`)) {
      const name = path.slice(`${CONSOLE_PREFIX}/assets/`.length);
      const type = ASSET_TYPES[name];
      if (type === undefined) return sendJson(res, 404, { error: { code: 'not_found', message: 'no such asset' } });
      return send(res, 200, type, await asset(name));
    }
    if (path.startsWith(`${CONSOLE_PREFIX}/api/`)) return api(req, res, path.slice(`${CONSOLE_PREFIX}/api/`.length), url, method);
    return sendJson(res, 404, { error: { code: 'not_found', message: `no console page at ${path}` } });
  }

  async function api(req: IncomingMessage, res: ServerResponse, path: string, url: URL, method: string): Promise<void> {
    if (path === 'session') {
      return sendJson(res, 200, {
        ledger: refunds !== undefined,
        sandbox: sandbox !== undefined,
        batches: refunds !== undefined,
        providers: PROVIDERS,
        timeZones: PROVIDER_TIME_ZONES,
        // Each provider's currencies, its default first (the registry's, from the specs).
        currencies: Object.fromEntries(PROVIDERS.map((p) => [p, REGISTRY[p].currencies])),
      });
    }
    if (path.startsWith('sandbox/')) {
      if (sandbox === undefined) return sendJson(res, 404, { error: { code: 'no_sandbox', message: 'no sandbox is attached: start the console with refundkit sandbox, or refundkit serve --sandbox-url' } });
      const call = path.slice('sandbox/'.length);
      if (!SandboxLink.serves(call, method)) return sendJson(res, 405, { error: { code: 'method_not_allowed', message: `${method} is not served at sandbox/${call}` } });
      const body = method === 'POST' ? await readBody(req) : undefined;
      const answer = await sandbox.call(call, method, url.search, body);
      return sendJson(res, answer.status, answer.body);
    }
    if (refunds === undefined) return sendJson(res, 404, { error: { code: 'no_ledger', message: 'no ledger is attached: the ledger views need refundkit serve' } });
    const get = method === 'GET';
    if (path === 'refunds' && get) {
      const page = await refunds.list(filterOf(url.searchParams));
      return sendJson(res, 200, { refunds: page.refunds.map(refundView), next: page.next ?? null });
    }
    if (path === 'refund' && get) {
      const found = await refundPage(refunds, keyOf(Object.fromEntries(url.searchParams)));
      return found === undefined ? sendJson(res, 404, { error: { code: 'not_found', message: 'the ledger has no such refund' } }) : sendJson(res, 200, found);
    }
    if (path === 'refund/query' && method === 'POST') {
      const key = keyOf(JSON.parse(await readBody(req)) as Record<string, unknown>);
      await refunds.get(key);
      return sendJson(res, 200, await refundPage(refunds, key));
    }
    if (path === 'unmatched' && get) return sendJson(res, 200, { unmatched: (await refunds.unmatchedNotifications({ limit: 200 })).map(unmatchedView) });
    if (path === 'totals' && get) return sendJson(res, 200, { totals: totalsView(await refunds.totals()) });
    if (path === 'batches' && get) return sendJson(res, 200, { batches: batchesView(await refunds.batches({ limit: 100 })) });
    if (path === 'events' && get) {
      // Closing: a page's reconnection gets no new stream (a non-200 also tells EventSource to stop trying).
      if (closed) return sendJson(res, 503, { error: { code: 'closing', message: 'the console is shutting down' } });
      return live!.attach(res);
    }
    return sendJson(res, 404, { error: { code: 'not_found', message: `no console call ${method} ${path}` } });
  }

  const handler = ((req: IncomingMessage, res: ServerResponse) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
    route(req, res).catch((error: unknown) => {
      if (res.headersSent) return void res.end();
      if (error instanceof SyntaxError) return sendJson(res, 400, { error: { code: 'bad_json', message: 'the body must be JSON' } });
      if (error instanceof RefundkitError) {
        const status = error.code === 'not_found' || error.code === 'account_unknown' ? 404 : 400;
        return sendJson(res, status, { error: { code: error.code, message: error.message } });
      }
      sendJson(res, 500, { error: { code: 'internal_error', message: 'the console failed; nothing was changed by this request' } });
    });
  }) as ConsoleHandler;
  let closed = false;
  handler.close = () => {
    closed = true;
    live?.close();
  };
  return handler;
}

/** A refund's key from a query or a body: provider, account, orderId, refundId, each a non-empty string. */
function keyOf(input: Record<string, unknown>): { provider: ProviderKey; account: string; orderId: string; refundId: string } {
  const key: Record<string, string> = {};
  for (const name of ['provider', 'account', 'orderId', 'refundId']) {
    const value = input[name];
    if (typeof value !== 'string' || value === '') throw inputError(name, `${name} must be a non-empty string`);
    key[name] = value;
  }
  if (!(PROVIDERS as readonly string[]).includes(key['provider']!)) throw inputError('provider', `provider must be one of ${PROVIDERS.join(', ')}`);
  return key as { provider: ProviderKey; account: string; orderId: string; refundId: string };
}

/** A console request that names no refund properly: a `validation_failed` (answered 400), nothing read or sent. */
function inputError(path: string, message: string): ValidationError {
  return new ValidationError('console request', [{ path, rule: 'required', message: `${message}; nothing was read or sent` }]);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw inputError('body', `the body is larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, status: number, type: string, body: string | Buffer): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(body));
}

function redirect(res: ServerResponse, location: string): void {
  res.writeHead(303, { location, 'cache-control': 'no-store' });
  res.end();
}
