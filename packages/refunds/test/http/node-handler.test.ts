/**
 * `toNodeHandler` on a real `node:http` server (127.0.0.1, ephemeral port): the raw bytes reach
 * the handler intact; the 413 bound holds for a declared Content-Length and for a chunked body
 * that never ends, and the 413 reaches the sender; the acknowledgement's bytes, type and length
 * are written as the handler answered them.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createNotificationHandler, toNodeHandler } from '../../src/index.js';
import { recordingReceiver, serve } from './support.js';

let servers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

async function started(...args: Parameters<typeof createNotificationHandler>) {
  const server = await serve(toNodeHandler(createNotificationHandler(...args)));
  servers.push(server);
  return server;
}

interface Answer {
  readonly status: number;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

const readAnswer = (res: IncomingMessage): Promise<Answer> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    res.on('error', reject);
  });

describe('toNodeHandler', () => {
  it('hands the body over byte for byte (bytes that are not UTF-8 included) and writes the acknowledgement with its length', async () => {
    const receiver = recordingReceiver(() => ({ ack: { status: 200, contentType: 'text/plain', body: 'SUCCESS' } }));
    const server = await started(receiver);
    const bytes = Buffer.from([0x7b, 0xff, 0xfe, 0x00, 0xe4, 0xb8, 0xad, 0xd6, 0xd0, 0x7d]);
    const response = await fetch(`${server.url}/notify/tipay`, { method: 'POST', headers: { 'content-type': 'application/json', 'ti-signature': 'abc' }, body: bytes });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain');
    expect(response.headers.get('content-length')).toBe('7');
    expect(await response.text()).toBe('SUCCESS');
    const handed = receiver.calls[0]!.notification;
    expect(Buffer.from(handed.rawBody as Uint8Array)).toEqual(bytes);
    expect((handed.headers as Headers).get('ti-signature')).toBe('abc');
  });

  it('a Content-Length over the bound is answered 413 at once, and the sender gets the answer', async () => {
    const receiver = recordingReceiver();
    const server = await started(receiver, { maxBodyBytes: 1024 });
    const answer = await new Promise<Answer>((resolve, reject) => {
      const req = httpRequest(`${server.url}/notify/tipay`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': String(200 * 1024) } });
      req.on('response', (res) => readAnswer(res).then(resolve, reject));
      req.on('error', reject);
      // The whole declared body is sent; the answer must come whatever the sender does.
      req.end(Buffer.alloc(200 * 1024, 0x20));
    });
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toMatchObject({ error: { code: 'body_too_large', sent: false } });
    expect(receiver.calls).toHaveLength(0);
  });

  it('a chunked body that never ends is cut at the bound: the 413 arrives while the sender is still sending', async () => {
    const receiver = recordingReceiver();
    const server = await started(receiver, { maxBodyBytes: 4096 });
    let written = 0;
    const answer = await new Promise<Answer>((resolve, reject) => {
      const req = httpRequest(`${server.url}/notify/easypay`, { method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } });
      const timer = setInterval(() => {
        written += 1024;
        req.write(Buffer.alloc(1024, 0x20));
      }, 5);
      req.on('response', (res) => {
        clearInterval(timer);
        readAnswer(res).then(resolve, reject);
        req.destroy();
      });
      req.on('error', (error) => {
        clearInterval(timer);
        reject(error);
      });
    });
    expect(answer.status).toBe(413);
    expect(receiver.calls).toHaveLength(0);
    expect(written).toBeGreaterThan(4096);
  });

  it('a chunked body just over the bound, then ended: 413, and the connection still serves the next request', async () => {
    const receiver = recordingReceiver();
    const server = await started(receiver, { maxBodyBytes: 2048 });
    const agent = new (await import('node:http')).Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const send = (body: Buffer, chunked: boolean) =>
        new Promise<Answer & { socketPort: number | undefined }>((resolve, reject) => {
          const req = httpRequest(`${server.url}/notify/tipay`, { agent, method: 'POST', headers: { 'content-type': 'application/json', ...(chunked ? { 'transfer-encoding': 'chunked' } : {}) } });
          req.on('response', (res) => readAnswer(res).then((a) => resolve({ ...a, socketPort: req.socket?.localPort }), reject));
          req.on('error', reject);
          for (let i = 0; i < body.length; i += 512) req.write(body.subarray(i, i + 512));
          req.end();
        });
      const tooLarge = await send(Buffer.alloc(3000, 0x20), true);
      expect(tooLarge.status).toBe(413);
      const next = await send(Buffer.from('{}'), false);
      expect(next.status).toBe(200);
      expect(receiver.calls.map((c) => new TextDecoder().decode(c.notification.rawBody as Uint8Array))).toEqual(['{}']);
    } finally {
      agent.destroy();
    }
  });

  it('uses the full path Express keeps in originalUrl, so basePath means the same under a mount', async () => {
    const receiver = recordingReceiver();
    const listener = toNodeHandler(createNotificationHandler(receiver, { basePath: '/hooks' }));
    // What Express does under app.use('/hooks', …): req.url loses the mount, originalUrl keeps it.
    const server = await serve((req, res) => {
      Object.assign(req, { originalUrl: req.url, url: req.url!.replace(/^\/hooks/, '') });
      listener(req, res);
    });
    servers.push(server);
    const response = await fetch(`${server.url}/hooks/notify/tipay`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(200);
    expect(receiver.calls).toHaveLength(1);
  });

  /** A listener that reads the whole body first, as a body parser does, and leaves `req.body` as `keep` makes it. */
  async function afterParser(receiver: ReturnType<typeof recordingReceiver>, keep: (raw: Buffer) => unknown) {
    const listener = toNodeHandler(createNotificationHandler(receiver));
    const server = await serve((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        Object.assign(req, { body: keep(Buffer.concat(chunks)) });
        listener(req, res);
      });
    });
    servers.push(server);
    return server;
  }

  it('after a parser that kept the bytes (express.raw): the handler gets those bytes', async () => {
    const receiver = recordingReceiver();
    const server = await afterParser(receiver, (raw) => raw);
    const response = await fetch(`${server.url}/notify/tipay`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"raw":true}' });
    expect([response.status, await response.text()]).toEqual([200, 'SUCCESS']);
    expect(new TextDecoder().decode(receiver.calls[0]!.notification.rawBody as Uint8Array)).toBe('{"raw":true}');
  });

  it('after a parser that kept no bytes (express.json): 500 body_consumed, never acknowledged, the facade not asked', async () => {
    const receiver = recordingReceiver();
    const server = await afterParser(receiver, (raw) => JSON.parse(raw.toString('utf8')));
    const response = await fetch(`${server.url}/notify/tipay`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"parsed":true}' });
    expect(response.status).toBe(500);
    expect(await response.json()).toMatchObject({ error: { code: 'body_consumed', sent: false } });
    expect(receiver.calls).toHaveLength(0);
  });

  it('a Fetch handler that throws is answered 500, without the error’s message', async () => {
    const server = await serve(
      toNodeHandler(async () => {
        throw new Error('secret detail: password=hunter2');
      }),
    );
    servers.push(server);
    const response = await fetch(`${server.url}/anything`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(JSON.parse(text)).toMatchObject({ error: { code: 'internal_error' } });
    expect(text).not.toContain('hunter2');
  });

  it('a path that only resolves elsewhere (//host/…) stays a path: 404', async () => {
    const receiver = recordingReceiver();
    const server = await started(receiver);
    const answer = await new Promise<Answer>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port: server.port, path: '//evil.example/notify/tipay', method: 'POST' });
      req.on('response', (res) => readAnswer(res).then(resolve, reject));
      req.on('error', reject);
      req.end('{}');
    });
    expect(answer.status).toBe(404);
    expect(receiver.calls).toHaveLength(0);
  });
});
