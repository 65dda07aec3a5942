/**
 * `maxAnswerBytes` reaches every provider's client: an answer over it is cut off as it streams
 * in, the refund is `unknown` (`answer_too_large`), and the ledger keeps an excerpt only.
 */
import { describe, expect, it } from 'vitest';
import { MemoryLedger, ValidationError, createRefunds } from '../src/index.js';
import { accountOf, facade, input, INPUTS, PROVIDER_KEYS, refundAnswer, scripted, CONFIGS } from './support.js';

describe.each(PROVIDER_KEYS)('%s: maxAnswerBytes', (provider) => {
  it('an answer larger than the configured limit is unknown (answer_too_large), with an excerpt only', async () => {
    const big = new Response(`{"padding":"${'x'.repeat(64 * 1024)}"}`, { headers: { 'content-type': provider === 'yima' ? 'text/xml; charset=GBK' : 'application/json' } });
    const ledger = new MemoryLedger();
    const refund = await facade(provider, scripted(big), { ledger, maxAnswerBytes: 16 * 1024 }).refund(input(provider));
    expect(refund).toMatchObject({ status: 'unknown', failure: { code: 'answer_too_large', source: 'transport' } });
    const stored = await ledger.get({ provider, account: accountOf(provider), refundId: INPUTS[provider].refundId });
    expect(stored?.raw?.length ?? 0).toBeLessThanOrEqual(4 * 1024);
  });

  it('an ordinary answer under the limit is read as usual', async () => {
    const refund = await facade(provider, scripted(refundAnswer(provider, 'succeeded')!), { maxAnswerBytes: 16 * 1024 }).refund(input(provider));
    expect(refund.status).toBe('succeeded');
  });
});

describe('maxAnswerBytes is checked at construction', () => {
  it.each([0, -1, 1.5])('%s is refused naming the option', (value) => {
    expect(() => createRefunds({ providers: { tipay: CONFIGS.tipay }, maxAnswerBytes: value })).toThrow(ValidationError);
    expect(() => createRefunds({ providers: { tipay: CONFIGS.tipay }, maxAnswerBytes: value })).toThrow(/maxAnswerBytes must be an integer ≥ 1 \(bytes\)/);
  });
});
