/**
 * Per-call control (issue 14): `timeoutMs` and `signal` on refund/get/waitFor, the
 * onRequest/onResponse hooks and the logger. An abort before the request left sends nothing and
 * leaves nothing reserved; an abort after it left is `unknown`, never `failed`.
 */
import { describe, expect, it } from 'vitest';
import { AbortedError, MemoryLedger, ValidationError, type RequestEvent, type ResponseEvent } from '../src/index.js';
import { CONFIGS, facade, hang, input, INPUTS, scripted, TIPAY_APP_KEY, tipayAnswer, type Call } from './support.js';

const key = { provider: 'tipay', orderId: INPUTS.tipay.orderId, refundId: INPUTS.tipay.refundId } as const;

describe('signal', () => {
  it('aborted before the call: AbortedError, nothing sent, nothing reserved', async () => {
    const script = scripted(tipayAnswer('SUCCESS'));
    const ledger = new MemoryLedger();
    const refunds = facade('tipay', script, { ledger });
    const error = await refunds.refund(input('tipay'), { signal: AbortSignal.abort() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortedError);
    expect((error as AbortedError).code).toBe('aborted');
    expect(script.calls).toHaveLength(0);
    await expect(refunds.get(key)).rejects.toThrow(/no tipay refund/);
    // The same refund id then refunds normally: nothing was held.
    expect((await refunds.refund(input('tipay'))).status).toBe('succeeded');
  });

  it('aborted after the request left: the refund is unknown (code aborted, source transport), never failed', async () => {
    const controller = new AbortController();
    const script = scripted((call, request) => {
      setTimeout(() => controller.abort(), 5);
      return (hang as (call: Call, request: Request) => Promise<Response>)(call, request);
    });
    const refunds = facade('tipay', script);
    const refund = await refunds.refund(input('tipay'), { signal: controller.signal });
    expect(script.calls).toHaveLength(1);
    expect(refund.status).toBe('unknown');
    expect(refund.failure).toMatchObject({ source: 'transport', code: 'aborted' });
    expect(refund.providerMayKnow).toBe(true);
  });

  it('waitFor: an abort while waiting rejects with AbortedError and changes nothing', async () => {
    const script = scripted(tipayAnswer('PROCESSING'), tipayAnswer('PROCESSING'));
    const refunds = facade('tipay', script);
    const refund = await refunds.refund(input('tipay'));
    expect(refund.status).toBe('pending');
    const controller = new AbortController();
    const waiting = refunds.waitFor(refund, { intervalMs: 60_000, timeoutMs: 120_000, signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    await expect(waiting).rejects.toBeInstanceOf(AbortedError);
    expect(script.calls).toHaveLength(2); // the refund, and waitFor's first query
  });

  it('get: an aborted signal sends no query', async () => {
    const script = scripted(tipayAnswer('PROCESSING'));
    const refunds = facade('tipay', script);
    await refunds.refund(input('tipay'));
    await expect(refunds.get(key, { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(AbortedError);
    expect(script.calls).toHaveLength(1);
  });
});

describe('timeoutMs per call', () => {
  it('refund: cuts the exchange short of the instance deadline; the refund is unknown with code timeout', async () => {
    const script = scripted(hang);
    const refunds = facade('tipay', script, { timeoutMs: 60_000 });
    const refund = await refunds.refund(input('tipay'), { timeoutMs: 30 });
    expect(refund.status).toBe('unknown');
    expect(refund.failure).toMatchObject({ source: 'transport', code: 'timeout' });
  });

  it('get: a query cut short leaves the pending refund as it was', async () => {
    const script = scripted(tipayAnswer('PROCESSING'), hang);
    const refunds = facade('tipay', script, { timeoutMs: 60_000 });
    await refunds.refund(input('tipay'));
    const refund = await refunds.get(key, { timeoutMs: 30 });
    expect(refund.status).toBe('pending');
    expect(script.calls).toHaveLength(2);
  });

  it('is refused when not a positive integer', async () => {
    const refunds = facade('tipay', scripted());
    await expect(refunds.refund(input('tipay'), { timeoutMs: 0 })).rejects.toMatchObject({ code: 'validation_failed', issues: [{ path: 'timeoutMs', rule: 'minimum 1' }] });
    await expect(refunds.refund(input('tipay'), { timeoutMs: 1.5 })).rejects.toBeInstanceOf(ValidationError);
  });
});

describe('onRequest / onResponse hooks and the logger', () => {
  it('see provider, operation, refund id, method, the url without its query, status and duration; never a key or a body', async () => {
    const script = scripted(tipayAnswer('PROCESSING'), tipayAnswer('SUCCESS'));
    const requests: RequestEvent[] = [];
    const responses: ResponseEvent[] = [];
    const lines: unknown[][] = [];
    const log = (level: string) => (message: string, details?: Record<string, unknown>) => lines.push([level, message, details]);
    const refunds = facade('tipay', script, {
      onRequest: (event) => requests.push(event),
      onResponse: (event) => responses.push(event),
      logger: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') },
    });
    const refund = await refunds.refund(input('tipay'));
    await refunds.get(refund);
    expect(requests).toEqual([
      { provider: 'tipay', operation: 'refund', refundId: INPUTS.tipay.refundId, method: 'POST', url: `${CONFIGS.tipay.baseUrl}/api/v1/yb/trade/refund` },
      { provider: 'tipay', operation: 'queryRefund', refundId: INPUTS.tipay.refundId, method: 'GET', url: `${CONFIGS.tipay.baseUrl}/api/v1/yb/trade/query` },
    ]);
    expect(script.calls[1]!.url).toContain('?'); // the query string was there, and the hook did not see it
    expect(responses.map((r) => r.status)).toEqual([200, 200]);
    for (const r of responses) expect(Number.isInteger(r.durationMs) && r.durationMs >= 0).toBe(true);
    const logged = JSON.stringify(lines);
    expect(logged).not.toContain(TIPAY_APP_KEY);
    expect(logged).not.toContain('ti-signature');
    expect(lines.filter(([level]) => level === 'info').map(([, , details]) => (details as { status: string }).status)).toEqual(['pending', 'succeeded']);
  });

  it('a hook that throws changes no outcome (it is logged)', async () => {
    const warnings: string[] = [];
    const noop = (): void => undefined;
    const refunds = facade('tipay', scripted(tipayAnswer('SUCCESS')), {
      onRequest: () => {
        throw new Error('hook bug');
      },
      logger: { debug: noop, info: noop, warn: (message) => warnings.push(message), error: noop },
    });
    expect((await refunds.refund(input('tipay'))).status).toBe('succeeded');
    expect(warnings).toContain('refundkit onRequest hook threw');
  });

  it('an unknown outcome is logged at warn with its failure source and code', async () => {
    const warnings: unknown[] = [];
    const noop = (): void => undefined;
    const refunds = facade('tipay', scripted(hang), { logger: { debug: noop, info: noop, warn: (_m, d) => warnings.push(d), error: noop } });
    await refunds.refund(input('tipay'), { timeoutMs: 20 });
    expect(warnings).toEqual([expect.objectContaining({ status: 'unknown', failure: { source: 'transport', code: 'timeout' } })]);
  });
});
