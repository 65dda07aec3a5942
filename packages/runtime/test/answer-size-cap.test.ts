import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANSWER_EXCERPT_BYTES, AnswerTooLargeError, DEFAULT_MAX_ANSWER_BYTES, fetchWithDeadline, TransportError, WireRequest } from '../src/index.js';

const MiB = 1024 * 1024;
/** One gzip member of 64 MiB of zeros (about 64 KiB); 48 of them make a 3 GiB bomb of about 3 MB. */
const GZIP_MEMBER = gzipSync(Buffer.alloc(64 * MiB), { level: 9 });
const BOMB_MEMBERS = 48;

let server: Server;
let base: string;
/** Whether the server saw the client drop the endless answer's connection. */
const closedEarly: string[] = [];

function writeForever(res: ServerResponse, chunk: Buffer, label: string): void {
  const pump = (): void => {
    while (!res.destroyed && res.write(chunk));
    if (!res.destroyed) res.once('drain', pump);
  };
  res.on('close', () => closedEarly.push(label));
  res.on('error', () => undefined);
  pump();
}

beforeAll(async () => {
  server = createServer((req, res) => {
    res.on('error', () => undefined);
    if (req.url === '/exact') res.end(Buffer.alloc(4096, 0x61));
    else if (req.url === '/over-by-one') res.end(Buffer.alloc(4097, 0x61));
    else if (req.url === '/endless') writeForever(res, Buffer.alloc(64 * 1024, 0x7b), 'endless');
    else if (req.url === '/error-body') {
      res.statusCode = 500;
      writeForever(res, Buffer.alloc(64 * 1024, 0x78), 'error-body');
    } else if (req.url === '/gzip-bomb') {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      let sent = 0;
      const pump = (): void => {
        while (sent < BOMB_MEMBERS && !res.destroyed) {
          sent++;
          if (!res.write(GZIP_MEMBER)) return void res.once('drain', pump);
        }
        if (!res.destroyed) res.end();
      };
      pump();
    } else if (req.url === '/one-member') {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      res.end(GZIP_MEMBER);
    } else if (req.url === '/small-gzip') {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      res.end(gzipSync(Buffer.from('{"code":"SUCCESS"}')));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const get = (path: string, maxAnswerBytes?: number) => fetchWithDeadline({ timeoutMs: 20_000, maxAnswerBytes })(new WireRequest(`${base}${path}`));

describe('the answer size cap (maxAnswerBytes)', () => {
  it('defaults to 1 MiB', () => {
    expect(DEFAULT_MAX_ANSWER_BYTES).toBe(MiB);
  });

  it('accepts an answer of exactly the cap and refuses one byte more', async () => {
    expect((await get('/exact', 4096)).bytes.byteLength).toBe(4096);
    const error = await get('/over-by-one', 4096).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AnswerTooLargeError);
    expect(error).toBeInstanceOf(TransportError);
    expect(error).toMatchObject({ code: 'answer_too_large', mayHaveReachedProvider: true, maxAnswerBytes: 4096, status: 200 });
  });

  it('stops an endless answer at the cap, keeps only an excerpt and drops the connection', async () => {
    const error = (await get('/endless').catch((e: unknown) => e)) as AnswerTooLargeError;
    expect(error).toBeInstanceOf(AnswerTooLargeError);
    expect(error.rawBody.length).toBeLessThanOrEqual(ANSWER_EXCERPT_BYTES);
    expect(error.rawBody.startsWith('{{{{')).toBe(true);
    await expect.poll(() => closedEarly.includes('endless'), { timeout: 5_000 }).toBe(true);
  });

  it('applies the same cap to an HTTP error body', async () => {
    const error = await get('/error-body', 64 * 1024).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AnswerTooLargeError);
    expect(error).toMatchObject({ status: 500, maxAnswerBytes: 64 * 1024 });
    expect((error as AnswerTooLargeError).rawBody.length).toBeLessThanOrEqual(ANSWER_EXCERPT_BYTES);
  });

  it('counts bytes after gzip: a 3 MB gzip that inflates to 3 GiB stops at the cap, memory bounded', async () => {
    expect(GZIP_MEMBER.byteLength * BOMB_MEMBERS).toBeLessThan(4 * MiB); // the bomb is small on the wire
    const before = process.memoryUsage().rss;
    const error = await get('/gzip-bomb').catch((e: unknown) => e);
    const growth = process.memoryUsage().rss - before;
    expect(error).toBeInstanceOf(AnswerTooLargeError);
    expect(error).toMatchObject({ maxAnswerBytes: MiB });
    expect(growth).toBeLessThan(64 * MiB);
  });

  it('counts inflated bytes, not wire bytes: 64 KiB of gzip inflating to 64 MiB is over a 1 MiB cap', async () => {
    expect(GZIP_MEMBER.byteLength).toBeLessThan(MiB / 8);
    expect(await get('/one-member').catch((e: unknown) => e)).toBeInstanceOf(AnswerTooLargeError);
  });

  it('still reads a small gzip answer whole', async () => {
    expect(new TextDecoder().decode((await get('/small-gzip')).bytes)).toBe('{"code":"SUCCESS"}');
  });

  it('refuses a cap that is not a positive integer when the transport is made', () => {
    expect(() => fetchWithDeadline({ maxAnswerBytes: 0 })).toThrow(RangeError);
    expect(() => fetchWithDeadline({ maxAnswerBytes: 1.5 })).toThrow(RangeError);
  });

  it('caps a fetch whose Response has no stream (a test double) the same way', async () => {
    const body = { body: null, status: 200, statusText: 'OK', headers: new Headers(), arrayBuffer: async () => new ArrayBuffer(10) } as unknown as Response;
    const send = fetchWithDeadline({ fetch: async () => body, maxAnswerBytes: 9 });
    await expect(send(new WireRequest('http://127.0.0.1:1/'))).rejects.toBeInstanceOf(AnswerTooLargeError);
  });
});
