/**
 * Only this machine may use the control endpoint: a web page the developer visits (a cross-origin
 * `text/plain` POST, or a DNS-rebinding host name) can neither arm faults nor add orders, and a
 * sandbox bound beyond loopback says so (issue 13, "Sandbox"). Requests are sent with node:http
 * so that Host and Origin are exactly what a browser would send.
 */
import { request } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../src/index.js';
import { tipayDriver } from './support/drivers.js';

interface RawAnswer {
  readonly status: number;
  readonly value: any;
}

/** One request to the sandbox with exactly these headers. */
function raw(sandbox: Sandbox, method: string, path: string, headers: Record<string, string>, body?: string): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: sandbox.port, method, path, headers, setHost: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, value: JSON.parse(Buffer.concat(chunks).toString('utf8')) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const ARM = JSON.stringify({ provider: 'tipay', fault: 'http-500' });
const ORDER = JSON.stringify({ provider: 'tipay', orderId: 'TP-FROM-A-PAGE', amount: 100 });

describe('control endpoint guard', () => {
  let sandbox: Sandbox;
  let host: string;
  beforeEach(async () => {
    sandbox = await startSandbox();
    host = `127.0.0.1:${sandbox.port}`;
  });
  afterEach(async () => {
    await sandbox.close();
    expect(sandbox.errors()).toEqual([]);
  });

  it('accepts JSON from this machine under each loopback name', async () => {
    for (const name of ['127.0.0.1', 'localhost', '[::1]']) {
      const answer = await raw(sandbox, 'POST', '/__sandbox/faults', { host: `${name}:${sandbox.port}`, 'content-type': 'application/json; charset=utf-8' }, ARM);
      expect(answer.status, name).toBe(201);
    }
    const sameOrigin = await raw(sandbox, 'POST', '/__sandbox/orders', { host, origin: `http://${host}`, 'content-type': 'application/json' }, ORDER);
    expect(sameOrigin.status).toBe(201);
    expect(sandbox.armedFaults()).toHaveLength(3);
  });

  it('refuses a POST that is not application/json (a page\'s simple text/plain POST) with 415, and arms nothing', async () => {
    for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      const answer = await raw(sandbox, 'POST', '/__sandbox/faults', { host, 'content-type': contentType }, ARM);
      expect(answer.status, contentType).toBe(415);
      expect(answer.value.sandboxError).toMatch(/must be Content-Type: application\/json/);
    }
    expect((await raw(sandbox, 'POST', '/__sandbox/orders', { host }, ORDER)).status).toBe(415);
    expect(sandbox.armedFaults()).toEqual([]);
    expect(sandbox.order('tipay', 'TP-FROM-A-PAGE')).toBeUndefined();
  });

  it('refuses another Host (DNS rebinding) with 403, for reads too', async () => {
    for (const badHost of ['evil.example:' + sandbox.port, `127.0.0.1:${sandbox.port + 1}`, '127.0.0.1', 'localhost.evil.example', '']) {
      const answer = await raw(sandbox, 'POST', '/__sandbox/faults', { host: badHost, 'content-type': 'application/json' }, ARM);
      expect(answer.status, badHost).toBe(403);
      expect(answer.value.sandboxError).toMatch(/only requests addressed to 127\.0\.0\.1:\d+, localhost:\d+, \[::1\]:\d+/);
    }
    expect((await raw(sandbox, 'GET', '/__sandbox/requests', { host: 'rebound.example' })).status).toBe(403);
    expect(sandbox.armedFaults()).toEqual([]);
  });

  it('refuses a cross-origin request (Origin not a loopback origin of this port) with 403', async () => {
    for (const origin of ['https://evil.example', 'null', `http://localhost:${sandbox.port + 1}`, `https://${host}`]) {
      const answer = await raw(sandbox, 'POST', '/__sandbox/orders', { host, origin, 'content-type': 'application/json' }, ORDER);
      expect(answer.status, origin).toBe(403);
      expect(answer.value.sandboxError).toMatch(/refuses requests from Origin/);
    }
    expect(sandbox.order('tipay', 'TP-FROM-A-PAGE')).toBeUndefined();
  });

  it('does not guard the provider endpoints: they are the simulated providers', async () => {
    const answer = await tipayDriver.sendRefund(sandbox, { refundNo: tipayDriver.newRefundNo(), orderId: 'TP-PAID-0001', amount: 100 });
    expect(tipayDriver.read(sandbox, 'refund', answer).accepted).toBe(true);
  });
});

describe('binding beyond loopback', () => {
  it('warns when bound to 0.0.0.0; its URLs are loopback ones, and the control endpoint still checks Host', async () => {
    const warnings: string[] = [];
    const sandbox = await startSandbox({ host: '0.0.0.0', onWarning: (message) => warnings.push(message) });
    try {
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/listens on 0\.0\.0\.0:\d+, beyond loopback/);
      expect(sandbox.baseUrl).toBe(`http://127.0.0.1:${sandbox.port}`);
      const local = await raw(sandbox, 'POST', '/__sandbox/faults', { host: `localhost:${sandbox.port}`, 'content-type': 'application/json' }, ARM);
      expect(local.status).toBe(201);
      const lan = await raw(sandbox, 'POST', '/__sandbox/faults', { host: `192.168.1.20:${sandbox.port}`, 'content-type': 'application/json' }, ARM);
      expect(lan.status).toBe(403);
      expect(sandbox.armedFaults()).toHaveLength(1);
    } finally {
      await sandbox.close();
    }
  });

  it('says nothing on loopback, and defaults to process.emitWarning otherwise', async () => {
    const emitted: string[] = [];
    const onWarning = (warning: Error): void => void emitted.push(warning.message);
    process.on('warning', onWarning);
    try {
      const quiet = await startSandbox({ host: '127.0.0.1', onWarning: (m) => emitted.push(m) });
      await quiet.close();
      expect(emitted).toEqual([]);
      const loud = await startSandbox({ host: '0.0.0.0' });
      await loud.close();
      await new Promise((resolve) => setImmediate(resolve));
      expect(emitted).toEqual([expect.stringMatching(/beyond loopback/)]);
    } finally {
      process.off('warning', onWarning);
    }
  });
});
