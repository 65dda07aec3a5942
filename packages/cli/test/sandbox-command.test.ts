/**
 * `refundkit sandbox` in process: started on port 0 with a `stop` promise the test resolves, its
 * printed URLs answer, and once stopped it returns 0 and the port is closed.
 */
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
});
