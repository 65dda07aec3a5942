/**
 * Hostile answers through the generated clients, below the facade: every case gives a typed
 * refundkit error whose `code` names the case (`AnswerTooLargeError` for the size cases, a
 * `ResponseError` for the decode cases), with at most an excerpt of the body; a smaller
 * `maxAnswerBytes` per client is honoured; and `__proto__` in Ti-Pay's `refundAccountDetail`
 * never becomes a prototype.
 */
import { AnswerTooLargeError, ANSWER_EXCERPT_BYTES, RefundkitError, ResponseError } from '@refundkit/runtime';
import { startSandbox, type Sandbox } from '@refundkit/sandbox';
import { createTipayClient } from '@refundkit/tipay';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CASES, gzipBombMember, startFakeProvider, type FakeProvider, type Provider } from './fake-provider.js';
import { hostileConfigs, idFor, sendRefund } from './support.js';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

const ORDER = 10_000;

let sandbox: Sandbox;
let fake: FakeProvider;

beforeAll(async () => {
  gzipBombMember();
  sandbox = await startSandbox({ delayMs: 0 });
  fake = await startFakeProvider(sandbox);
});

afterAll(async () => {
  await fake?.close();
  await sandbox?.close();
});

/** Sends one refund of AMOUNT on a fresh sandbox order through `provider`'s generated client, its base URL pointed at `caseName`. */
function refundThrough(provider: Provider, caseName: string, n: number, maxAnswerBytes?: number): Promise<unknown> {
  const config = hostileConfigs(sandbox, fake, caseName)[provider];
  const orderId = sandbox.addOrder(provider, { orderId: idFor(provider, 'CLIORD', n), amount: ORDER }).orderId;
  return sendRefund(provider, config, { timeoutMs: 20_000, ...(maxAnswerBytes === undefined ? {} : { maxAnswerBytes }) }, orderId, idFor(provider, 'CLIRFD', n));
}

async function errorOf(work: Promise<unknown>): Promise<unknown> {
  try {
    await work;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

const runs = CASES.flatMap((hostile, c) => hostile.providers.map((provider) => [hostile.name, provider, hostile, c] as const));

describe('the generated clients meet a hostile provider', () => {
  it.each(runs)('%s (%s): a typed error naming the case, with no whole body', async (name, provider, hostile, c) => {
    const error = await errorOf(refundThrough(provider, name, c));
    expect(error, String(error)).toBeInstanceOf(RefundkitError);
    expect(hostile.code.split('|')).toContain((error as RefundkitError).code);
    if (hostile.code === 'answer_too_large') {
      expect(error).toBeInstanceOf(AnswerTooLargeError);
      expect((error as AnswerTooLargeError).rawBody.length).toBeLessThanOrEqual(ANSWER_EXCERPT_BYTES);
      expect((error as AnswerTooLargeError).mayHaveReachedProvider).toBe(true);
    } else if (hostile.code !== 'response_invalid|signature_invalid') {
      expect(error).toBeInstanceOf(ResponseError);
      expect((error as ResponseError).mayHaveReachedProvider).toBe(true);
    }
  });

  it.each(['easypay', 'eftpay', 'lianke', 'tipay', 'yima'] as const)('%s: maxAnswerBytes set on the client caps a plain answer', async (provider) => {
    const error = await errorOf(refundThrough(provider, 'oversized', 900 + provider.length, 512));
    expect(error).toBeInstanceOf(AnswerTooLargeError);
    expect(error).toMatchObject({ maxAnswerBytes: 512 });
  });
});

describe('__proto__ in a JSON string field (Ti-Pay refundAccountDetail)', () => {
  it('stays an own property of the parsed item: no prototype, nothing inherited, Object.prototype untouched', async () => {
    const orderId = sandbox.addOrder('tipay', { orderId: idFor('tipay', 'PROTORD', 1), amount: ORDER }).orderId;
    const config = hostileConfigs(sandbox, fake, 'proto-detail').tipay;
    const client = createTipayClient({ baseUrl: config['baseUrl']!, appId: config['appId']!, appKey: config['appKey']! });
    const result = await client.refund({ merchantNo: config['merchantNo']!, orderId, refundRequestId: idFor('tipay', 'PROTRFD', 1), refundAmount: '12.00' });
    expect(result.rawBody).toContain('__proto__'); // the fake did spoil the answer, and signed it again
    const detail = (result.parsed as Record<string, unknown>)['data.refundAccountDetail'] as Array<Record<string, unknown>>;
    const [item] = detail;
    expect(Object.getPrototypeOf(item)).toBe(Object.prototype);
    expect(Object.getOwnPropertyNames(item)).toEqual(['__proto__']);
    expect(item!['accountType']).toBeUndefined();
    expect(item!['debitAmount']).toBeUndefined();
    expect(({} as Record<string, unknown>)['accountType']).toBeUndefined();
  });
});
