/**
 * Shared by the client tests (test/clients/*.test.ts): the seed examples, the throwaway test keys,
 * recording fetches, real loopback servers for the transport faults, and small reference
 * implementations (canonical JSON, a GBK encoder) written here, independently of the code under
 * test, so that expected bytes and signatures are never computed by the package being checked.
 */
import { createHash, sign as rsaSign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { ConnectionError, HttpStatusError, TimeoutError, type FetchLike } from '@refundkit/runtime';
import { expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');

/** A seed example file's raw bytes, `specs/<provider>/examples/<file>`. */
export function exampleBytes(provider: string, file: string): Buffer {
  return readFileSync(join(root, 'specs', provider, 'examples', file));
}

/** A seed example file as UTF-8 text. */
export function exampleText(provider: string, file: string): string {
  return exampleBytes(provider, file).toString('utf8');
}

/** A JSON seed example, parsed. */
export function exampleJson<T = Record<string, unknown>>(provider: string, file: string): T {
  return JSON.parse(exampleText(provider, file)) as T;
}

/**
 * The throwaway RSA test keys of @refundkit/signing (packages/signing/test/fixtures/README.md):
 * `merchant` signs requests, `easypay` plays EasyPay's key pair (signs answers and notifications).
 */
export const testKeys = {
  merchantPrivate: readFileSync(join(root, 'packages/signing/test/fixtures/test-key.pem'), 'utf8'),
  merchantPublic: readFileSync(join(root, 'packages/signing/test/fixtures/test-public.pem'), 'utf8'),
  easypayPrivate: readFileSync(join(root, 'packages/signing/test/fixtures/other-key.pem'), 'utf8'),
  easypayPublic: readFileSync(join(root, 'packages/signing/test/fixtures/other-public.pem'), 'utf8'),
} as const;

/** The signing package's vectors, computed by openssl / python (never by the TypeScript code). */
export const signingVectors = JSON.parse(readFileSync(join(root, 'packages/signing/test/vectors.json'), 'utf8')) as {
  easypay: { vectors: Array<{ name: string; signingString: { value: string }; signature: { value: string } }> };
  eftpay: { secretCode: string };
  tipay: { appId: string; appKey: string };
};

// ---------------------------------------------------------------------------------------------
// Independent reference implementations
// ---------------------------------------------------------------------------------------------

/** Canonical JSON as EasyPay's scheme defines it (PROVIDERS.md): keys sorted, compact, `/` and CJK as they are. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record).filter((k) => record[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(record[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export const md5Upper = (text: string): string => createHash('md5').update(text, 'utf8').digest('hex').toUpperCase();
export const sha256Hex = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex');

/** SHA256withRSA (PKCS#1 v1.5), base64, over `canonical(header) + MD5(canonical(body))`. */
export function easypaySign(header: unknown, body: unknown, privateKeyPem: string): string {
  return rsaSign('sha256', Buffer.from(canonical(header) + md5Upper(canonical(body)), 'utf8'), privateKeyPem).toString('base64');
}

/** eftPay: sha256 hex of secret + sorted `k=v&…` over every field but `sign`; empty values skipped or kept as `k=`. */
export function eftpaySign(fields: Record<string, unknown>, secret: string, empty: 'skip' | 'keep' = 'keep'): string {
  const pairs = Object.keys(fields)
    .filter((k) => k !== 'sign' && fields[k] !== undefined)
    .filter((k) => empty === 'keep' || fields[k] !== '')
    .sort()
    .map((k) => `${k}=${String(fields[k])}`);
  return sha256Hex(secret + pairs.join('&'));
}

let gbkTable: Map<string, readonly [number, number]> | undefined;

/**
 * GBK bytes of `text`, from a table built by decoding every GBK double-byte code with the
 * WHATWG `TextDecoder('gbk')` (ICU), so it shares nothing with the iconv-lite codec under test.
 */
export function gbk(text: string): Uint8Array {
  if (gbkTable === undefined) {
    gbkTable = new Map();
    const decoder = new TextDecoder('gbk', { fatal: true });
    for (let hi = 0x81; hi <= 0xfe; hi++) {
      for (let lo = 0x40; lo <= 0xfe; lo++) {
        if (lo === 0x7f) continue;
        let char: string;
        try {
          char = decoder.decode(new Uint8Array([hi, lo]));
        } catch {
          continue;
        }
        if (!gbkTable.has(char)) gbkTable.set(char, [hi, lo]);
      }
    }
  }
  const out: number[] = [];
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    if (code < 0x80) {
      out.push(code);
      continue;
    }
    const pair = gbkTable.get(char);
    if (pair === undefined) throw new Error(`no GBK code for ${char}`);
    out.push(pair[0], pair[1]);
  }
  return new Uint8Array(out);
}

/** GBK bytes as text, by the WHATWG decoder (not the codec under test). */
export const fromGbk = (bytes: Uint8Array): string => new TextDecoder('gbk').decode(bytes);

/**
 * Every variant of a JSON `text` with one character changed, paired with its index: each ASCII
 * letter or digit inside a string literal (a value or a property name) becomes the next one of
 * its kind, and each digit of a number likewise (never to a leading 0). The document stays
 * well-formed JSON, so a signature check, not the parser, must catch the change.
 */
export function jsonAlterations(text: string): Array<[number, string]> {
  const out: Array<[number, string]> = [];
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] ?? '';
    if (inString && c === '\\') {
      i += text[i + 1] === 'u' ? 5 : 1;
      continue;
    }
    if (c === '"') {
      inString = !inString;
      continue;
    }
    let replacement: string | undefined;
    if (/[0-8]/.test(c)) replacement = String(Number(c) + 1);
    else if (c === '9') replacement = '8';
    else if (inString && /[a-yA-Y]/.test(c)) replacement = String.fromCharCode(c.charCodeAt(0) + 1);
    else if (inString && (c === 'z' || c === 'Z')) replacement = c === 'z' ? 'a' : 'A';
    if (replacement !== undefined) out.push([i, text.slice(0, i) + replacement + text.slice(i + 1)]);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Fetches
// ---------------------------------------------------------------------------------------------

/** One request as the injected fetch saw it. */
export interface Sent {
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body: Uint8Array;
  readonly text: string;
  readonly signal: AbortSignal;
}

export type Responder = (sent: Sent) => Response | Promise<Response>;

/** A fetch that records every request (its exact body bytes) and answers with `respond`. */
export function recordingFetch(respond: Responder = () => new Response('{}')): { fetch: FetchLike; sent: Sent[] } {
  const sent: Sent[] = [];
  const fetch: FetchLike = async (url, init) => {
    const request = new Request(url, init);
    const body = new Uint8Array(await request.arrayBuffer());
    const headers: Record<string, string> = {};
    request.headers.forEach((value, name) => {
      headers[name] = value;
    });
    const entry: Sent = { method: request.method, url: request.url, headers, body, text: new TextDecoder().decode(body), signal: request.signal };
    sent.push(entry);
    return respond(entry);
  };
  return { fetch, sent };
}

/** A fetch that answers every request with `body` (text or bytes), HTTP `status`, and `headers`. */
export function answering(body: string | Uint8Array, init: { status?: number; headers?: Record<string, string> } = {}): { fetch: FetchLike; sent: Sent[] } {
  return recordingFetch(() => new Response(body, { status: init.status ?? 200, headers: init.headers ?? { 'content-type': 'application/json' } }));
}

/** A fetch that never answers but rejects when its request is aborted. */
export function hangingFetch(): { fetch: FetchLike; signals: AbortSignal[] } {
  const signals: AbortSignal[] = [];
  const fetch: FetchLike = (url, init) => {
    const request = new Request(url, init);
    signals.push(request.signal);
    return new Promise<Response>((_resolve, reject) => {
      request.signal.addEventListener('abort', () => reject(request.signal.reason), { once: true });
    });
  };
  return { fetch, signals };
}

/** Awaits `promise`, expecting it to reject with an instance of `type`; returns the error. */
export async function rejection<E extends Error>(promise: Promise<unknown>, type: abstract new (...args: never[]) => E): Promise<E> {
  let outcome: unknown;
  try {
    outcome = await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(type);
    return error as E;
  }
  throw new Error(`expected a ${type.name}, but the call succeeded with ${JSON.stringify(outcome)?.slice(0, 200)}`);
}

/** Calls `fn`, expecting it to throw an instance of `type`; returns the error. */
export function thrown<E extends Error>(fn: () => unknown, type: abstract new (...args: never[]) => E): E {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(type);
    return error as E;
  }
  throw new Error(`expected a ${type.name}, but nothing was thrown`);
}

// ---------------------------------------------------------------------------------------------
// Loopback servers for transport faults
// ---------------------------------------------------------------------------------------------

export interface LoopbackServer {
  readonly origin: string;
  readonly requests: number;
  close(): Promise<void>;
}

/** An HTTP server on 127.0.0.1 with an ephemeral port; `close()` drops open connections. */
export async function startServer(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<LoopbackServer> {
  let requests = 0;
  const server = createServer((req, res) => {
    requests++;
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    get requests() {
      return requests;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port on 127.0.0.1 that was just bound and released: connecting to it is refused. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Builds a client for `origin` (its base URL) and makes one call with it. */
export type TransportCall = (options: { readonly origin: string; readonly fetch?: FetchLike; readonly timeoutMs?: number }) => Promise<unknown>;

/**
 * The transport faults every client must type the same way (issue 4): a timeout (injected fetch
 * and real loopback servers, before headers and in the middle of the body), non-2xx answers
 * with their body, a refused connection and a reset one. Defines the tests in the caller's
 * `describe`.
 */
export function transportTests(call: TransportCall): void {
  it('times out after timeoutMs against a fetch that never answers: TimeoutError, may have reached the provider', async () => {
    const { fetch, signals } = hangingFetch();
    const started = performance.now();
    const error = await rejection(call({ origin: 'http://provider.test', fetch, timeoutMs: 200 }), TimeoutError);
    const elapsed = performance.now() - started;
    expect(error.timeoutMs).toBe(200);
    expect(error.mayHaveReachedProvider).toBe(true);
    expect(error.code).toBe('timeout');
    expect(elapsed).toBeGreaterThanOrEqual(190);
    expect(elapsed).toBeLessThan(3_000);
    expect(signals).toHaveLength(1);
    expect(signals[0]?.aborted).toBe(true);
  });

  it('times out against a real server that accepts the request and never answers', async () => {
    const server = await startServer(() => {
      /* never answers */
    });
    try {
      const error = await rejection(call({ origin: server.origin, timeoutMs: 200 }), TimeoutError);
      expect(error.mayHaveReachedProvider).toBe(true);
      expect(server.requests).toBe(1);
    } finally {
      await server.close();
    }
  });

  it('times out when the body stalls after the headers (one deadline covers the whole body)', async () => {
    const server = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      res.write('{"partial":');
    });
    try {
      const error = await rejection(call({ origin: server.origin, timeoutMs: 300 }), TimeoutError);
      expect(error.timeoutMs).toBe(300);
      expect(error.mayHaveReachedProvider).toBe(true);
    } finally {
      await server.close();
    }
  });

  it.each([500, 502])('HTTP %i is an HttpStatusError carrying the body, and may have reached the provider', async (status) => {
    const { fetch, sent } = answering(`upstream says no (${status})`, { status, headers: { 'content-type': 'text/plain' } });
    const error = await rejection(call({ origin: 'http://provider.test', fetch }), HttpStatusError);
    expect(error.status).toBe(status);
    expect(error.rawBody).toBe(`upstream says no (${status})`);
    expect(error.mayHaveReachedProvider).toBe(true);
    expect(sent).toHaveLength(1);
  });

  it('HTTP 500 from a real server is an HttpStatusError with the body', async () => {
    const server = await startServer((_req, res) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('internal error');
    });
    try {
      const error = await rejection(call({ origin: server.origin, timeoutMs: 5_000 }), HttpStatusError);
      expect(error.status).toBe(500);
      expect(error.rawBody).toBe('internal error');
    } finally {
      await server.close();
    }
  });

  it('a refused connection (a closed port on 127.0.0.1) is a ConnectionError that did not reach the provider', async () => {
    const port = await closedPort();
    const error = await rejection(call({ origin: `http://127.0.0.1:${port}`, timeoutMs: 5_000 }), ConnectionError);
    expect(error.mayHaveReachedProvider).toBe(false);
    expect(error.message).toContain('ECONNREFUSED');
  });

  it('a connection reset after the request was received is a ConnectionError that may have reached the provider', async () => {
    const server = await startServer((req) => {
      req.socket.destroy();
    });
    try {
      const error = await rejection(call({ origin: server.origin, timeoutMs: 5_000 }), ConnectionError);
      expect(error.mayHaveReachedProvider).toBe(true);
      expect(server.requests).toBe(1);
    } finally {
      await server.close();
    }
  });
}
