/**
 * Once a request may have reached the provider, every fault is a returned refund with status
 * `unknown` and the cause in `failure` (timeout, 5xx, reset, malformed body, bad signature); a
 * connection that never carried the request is `failed`.
 */
import { describe, expect, it } from 'vitest';
import { MemoryLedger } from '../src/index.js';
import type { ConfiguredProvider } from '../src/providers/index.js';
import { accountOf, easypayAnswer, eftpayAnswer, facade, hang, input, json, PROVIDER_KEYS, refused, reset, scripted, text, tipayAnswer, type Reply } from './support.js';

async function outcome(provider: ConfiguredProvider, reply: Reply, timeoutMs = 2_000) {
  const script = scripted(reply);
  const ledger = new MemoryLedger();
  const refund = await facade(provider, script, { ledger, timeoutMs }).refund(input(provider));
  expect(script.calls).toHaveLength(1);
  // What the facade returned is what the ledger holds.
  expect(await ledger.get(refund)).toEqual(refund);
  return refund;
}

const XML_GARBAGE = new Response('<html><body>502 Bad Gateway</body></html>', { status: 200, headers: { 'content-type': 'text/html' } });

describe.each(PROVIDER_KEYS)('%s transport faults', (provider) => {
  it('a timeout is unknown (code timeout)', async () => {
    const refund = await outcome(provider, hang, 100);
    expect(refund.status).toBe('unknown');
    expect(refund.failure).toMatchObject({ source: 'transport', code: 'timeout' });
  });

  it('an HTTP 5xx is unknown (code http_status), the body kept', async () => {
    const refund = await outcome(provider, text('upstream overloaded', 503, 'text/plain'));
    expect(refund.status).toBe('unknown');
    expect(refund.failure).toEqual({ source: 'transport', code: 'http_status', message: 'provider answered HTTP 503' });
    expect(refund.raw).toBe('upstream overloaded');
  });

  it('a connection reset after sending is unknown', async () => {
    const refund = await outcome(provider, reset);
    expect(refund.status).toBe('unknown');
    expect(refund.failure?.code).toBe('connection_failed');
  });

  it('a malformed body is unknown (code response_invalid)', async () => {
    const refund = await outcome(provider, provider === 'yima' ? XML_GARBAGE.clone() : text('{"code": 200, "success": tru'));
    expect(refund.status).toBe('unknown');
    expect(refund.failure?.code).toBe('response_invalid');
  });

  it('a body of the wrong shape is unknown (code response_invalid)', async () => {
    const wrongShape: Partial<Record<ConfiguredProvider, Response>> = {
      yima: text('<?xml version="1.0" encoding="GBK"?><business_trans><response_type>other</response_type></business_trans>', 200, 'text/xml'),
      // Correctly signed, but accepted without the respStateInfo the status needs.
      easypay: easypayAnswer({ body: { respOrderInfo: { orgTrace: 'x' } } }),
    };
    const refund = await outcome(provider, wrongShape[provider] ?? json({ hello: 'world' }));
    expect(refund.status).toBe('unknown');
    expect(refund.failure?.code).toBe('response_invalid');
  });

  it('a refused connection reached nobody: failed, and the reservation is released', async () => {
    const script = scripted(refused);
    const ledger = new MemoryLedger();
    const refunds = facade(provider, script, { ledger });
    const refund = await refunds.refund(input(provider, { orderAmount: input(provider).amount }));
    expect(refund.status).toBe('failed');
    expect(refund.failure?.code).toBe('connection_failed');
    // Nothing is held: the whole order is still refundable under another refund id.
    const held = (await ledger.refundsOf({ provider, account: accountOf(provider), orderId: refund.orderId })).filter((r) => r.status !== 'failed');
    expect(held).toEqual([]);
  });
});

describe('bad signatures are unknown, never success', () => {
  it('easypay: an answer altered after signing (transState made 0)', async () => {
    const refund = await outcome('easypay', easypayAnswer({ transState: 'X', tamper: true }));
    expect(refund.status).toBe('unknown');
    expect(refund.failure).toMatchObject({ source: 'local', code: 'signature_invalid' });
  });

  it('easypay: an answer without rspSign', async () => {
    const refund = await outcome('easypay', json({ rspHeader: { rspCode: '000000' }, rspBody: { respStateInfo: { respCode: '000000', transState: '0' } } }));
    expect(refund.status).toBe('unknown');
    expect(refund.failure).toMatchObject({ source: 'local', code: 'signature_invalid' });
  });

  it('eftpay: an answer altered after signing', async () => {
    const refund = await outcome('eftpay', eftpayAnswer({ trade_status: 'TRADE_FAIL' }, { tamper: true }));
    expect(refund.status).toBe('unknown');
    expect(refund.failure).toMatchObject({ source: 'local', code: 'signature_invalid' });
  });

  it('eftpay: a received (00) answer without sign', async () => {
    const refund = await outcome('eftpay', eftpayAnswer({ trade_status: 'TRADE_CLOSED' }, { unsigned: true }));
    expect(refund.status).toBe('unknown');
    expect(refund.failure).toMatchObject({ source: 'local', code: 'signature_invalid' });
  });

  it('tipay: an answer carrying a ti-signature that does not match', async () => {
    const answer = tipayAnswer('SUCCESS');
    const body = await answer.text();
    const refund = await outcome('tipay', text(body, 200));
    expect(refund.status).toBe('succeeded'); // unsigned answers are Ti-Pay's documented norm
    const forged = new Response(body, { status: 200, headers: { 'content-type': 'application/json', 'ti-appid': 'tichain000001', 'ti-timestamp': '1', 'ti-signature': '0'.repeat(64) } });
    const refund2 = await outcome('tipay', forged);
    expect(refund2.status).toBe('unknown');
    expect(refund2.failure?.code).toBe('signature_invalid');
  });
});
