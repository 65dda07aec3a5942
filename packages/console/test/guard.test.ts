/**
 * The console's guard without a browser (issue 24, "Security"): Host (DNS rebinding), Origin,
 * the token beyond loopback, CSRF and the media type of actions, the CSP — through a real
 * node:http server on 127.0.0.1, requests sent with the exact headers a hostile page or a
 * rebinding name would produce.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createConsoleHandler, type ConsoleOptions } from '../src/handler.js';
import { hostAllowed, isLoopbackHost, refuse } from '../src/guard.js';
import type { ConsoleRefunds } from '../src/ledger-api.js';

/** A ledger with nothing in it: these tests are about who gets in, not what they see. */
const emptyLedger: ConsoleRefunds = {
  list: async () => ({ refunds: [] }),
  history: async () => [],
  get: async () => {
    throw new Error('not reached');
  },
  unmatchedNotifications: async () => [],
  totals: async () => [],
  changes: async () => [],
  batches: async () => [],
};

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

async function start(options: Partial<ConsoleOptions> = {}): Promise<number> {
  const handler = createConsoleHandler({ refunds: emptyLedger, bindHost: '127.0.0.1', ...options });
  server = createServer(handler);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One request to 127.0.0.1:port with exactly these headers (Host included). */
function send(port: number, method: string, path: string, headers: Record<string, string>, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers: { host: `127.0.0.1:${port}`, ...headers }, setHost: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const codeOf = (answer: Answer): string | undefined => (JSON.parse(answer.body) as { error?: { code?: string } }).error?.code;

/** The page's CSRF value, as the console's own page reads it. */
async function csrfOf(port: number, headers: Record<string, string> = {}): Promise<string> {
  const page = await send(port, 'GET', '/console/', headers);
  return /name="refundkit-csrf" content="([^"]+)"/.exec(page.body)![1]!;
}

describe('Host: only loopback names, IP addresses and listed names, on the console port', () => {
  it('serves 127.0.0.1 and localhost; refuses a rebinding name, a wrong port, a missing Host', async () => {
    const port = await start();
    expect((await send(port, 'GET', '/console/api/session', {})).status).toBe(200);
    expect((await send(port, 'GET', '/console/api/session', { host: `localhost:${port}` })).status).toBe(200);
    const rebound = await send(port, 'GET', '/console/api/session', { host: `evil.example:${port}` });
    expect(rebound.status).toBe(403);
    expect(codeOf(rebound)).toBe('console_host_refused');
    expect((await send(port, 'GET', '/console/api/session', { host: `127.0.0.1:${port + 1}` })).status).toBe(403);
    expect((await send(port, 'GET', '/console/api/session', { host: '' })).status).toBe(403);
  });

  it('a name the operator lists is served', async () => {
    expect(hostAllowed('console.internal:8080', 8080, ['console.internal'])).toBe(true);
    expect(hostAllowed('console.internal:8080', 8080)).toBe(false);
    expect(hostAllowed('[::1]:8080', 8080)).toBe(true);
    expect(hostAllowed('10.0.0.7', 80)).toBe(true);
    expect(isLoopbackHost('0.0.0.0')).toBe(false);
    expect(isLoopbackHost('127.0.0.1')).toBe(true);
  });
});

describe('Origin', () => {
  it('refuses a request from another origin, even a GET', async () => {
    const port = await start();
    const foreign = await send(port, 'GET', '/console/api/refunds', { origin: 'http://evil.example' });
    expect(foreign.status).toBe(403);
    expect(codeOf(foreign)).toBe('console_origin_refused');
    expect((await send(port, 'GET', '/console/api/refunds', { origin: `http://127.0.0.1:${port}` })).status).toBe(200);
  });
});

describe('actions: POST, JSON, the page\'s CSRF value', () => {
  it('refuses an action without the CSRF value, with a wrong one, or as a form; takes the page\'s', async () => {
    const port = await start();
    const body = JSON.stringify({ provider: 'tipay' });
    const missing = await send(port, 'POST', '/console/api/refund/query', { 'content-type': 'application/json' }, body);
    expect(missing.status).toBe(403);
    expect(codeOf(missing)).toBe('console_csrf_refused');
    const wrong = await send(port, 'POST', '/console/api/refund/query', { 'content-type': 'application/json', 'x-refundkit-csrf': 'guess' }, body);
    expect(codeOf(wrong)).toBe('console_csrf_refused');
    const csrf = await csrfOf(port);
    const form = await send(port, 'POST', '/console/api/refund/query', { 'content-type': 'text/plain', 'x-refundkit-csrf': csrf }, body);
    expect(form.status).toBe(415);
    // Past the guard: the body names no whole refund, a typed validation error (nothing sent).
    const passed = await send(port, 'POST', '/console/api/refund/query', { 'content-type': 'application/json', 'x-refundkit-csrf': csrf }, body);
    expect(passed.status).toBe(400);
    expect(codeOf(passed)).toBe('validation_failed');
  });
});

describe('the token', () => {
  it('beyond loopback without a token: every request refused', async () => {
    const port = await start({ bindHost: '0.0.0.0' });
    const page = await send(port, 'GET', '/console/', {});
    expect(page.status).toBe(403);
    expect(codeOf(page)).toBe('console_token_required');
    expect(refuse({ bindHost: '192.168.1.20', csrf: 'x' }, { method: 'GET', headers: { host: '192.168.1.20:80' }, port: 80 })?.code).toBe('console_token_required');
  });

  it('with a token: none or a wrong one is 401; the link sets an HttpOnly SameSite cookie; cookie and bearer work; the page never shows it', async () => {
    const token = 'unit-test-token-a81f';
    const port = await start({ bindHost: '0.0.0.0', token });
    expect((await send(port, 'GET', '/console/api/session', {})).status).toBe(401);
    expect((await send(port, 'GET', '/console/api/session', { authorization: 'Bearer nope' })).status).toBe(401);
    expect((await send(port, 'GET', '/console/api/session', { authorization: `Bearer ${token}` })).status).toBe(200);
    const link = await send(port, 'GET', `/console/?token=${token}`, {});
    expect(link.status).toBe(303);
    expect(link.headers['location']).toBe('/console/');
    const cookie = String(link.headers['set-cookie']);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    const cookieHeader = cookie.split(';')[0]!;
    const page = await send(port, 'GET', '/console/', { cookie: cookieHeader });
    expect(page.status).toBe(200);
    expect(page.body).not.toContain(token);
    expect((await send(port, 'GET', `/console/?token=wrong`, {})).status).toBe(401);
    // A token does not lift the Host check.
    expect((await send(port, 'GET', '/console/api/session', { cookie: cookieHeader, host: `evil.example:${port}` })).status).toBe(403);
  });
});

describe('every answer', () => {
  it('carries a strict CSP and refuses framing', async () => {
    const port = await start();
    for (const path of ['/console/', '/console/api/session', '/console/api/nothing']) {
      const answer = await send(port, 'GET', path, {});
      expect(answer.headers['content-security-policy']).toContain("default-src 'none'");
      expect(answer.headers['content-security-policy']).toContain("script-src 'self'");
      expect(answer.headers['content-security-policy']).not.toContain('unsafe-inline');
      expect(answer.headers['x-frame-options']).toBe('DENY');
    }
  });
});
