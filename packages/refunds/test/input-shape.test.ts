/**
 * The mistakes the types refuse (test/types/), refused again at run time for plain JS, before
 * anything is reserved or sent, each naming the provider and the field (issue 14).
 */
import { describe, expect, it } from 'vitest';
import { MemoryLedger, NotFoundError, ValidationError } from '../src/index.js';
import { accountOf, facade, input, scripted } from './support.js';

async function refusal(provider: Parameters<typeof input>[0], changes: Record<string, unknown>) {
  const script = scripted();
  const ledger = new MemoryLedger();
  const refunds = facade(provider, script, { ledger });
  const error = await refunds.refund(input(provider, changes)).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ValidationError);
  expect(script.calls).toHaveLength(0);
  expect(await ledger.get({ provider, account: accountOf(provider), refundId: input(provider).refundId })).toBeUndefined();
  return (error as ValidationError).issues;
}

describe('run-time refusals, naming the provider and the key', () => {
  it('an option of another provider (tipay takes none)', async () => {
    expect(await refusal('tipay', { options: { payType: 'AliPayRefund' } })).toEqual([
      { path: 'options.payType', rule: 'additionalProperties', message: 'options.payType is not an option of tipay, which takes none' },
    ]);
  });

  it('an unknown option key for yima, naming its options', async () => {
    expect(await refusal('yima', { options: { oriTransDate: '20250101' } })).toEqual([
      { path: 'options.oriTransDate', rule: 'additionalProperties', message: 'options.oriTransDate is not an option of yima (its options: payType)' },
    ]);
  });

  it('a misspelt option (eftpay payment_type)', async () => {
    const issues = await refusal('eftpay', { options: { paymentType: 'ALIPAYHK', payment_type: 'ALIPAYHK' } });
    expect(issues[0]).toMatchObject({ path: 'options.payment_type', rule: 'additionalProperties' });
    expect(issues[0]!.message).toContain('eftpay');
  });

  it('a missing required option names the provider (easypay without options)', async () => {
    expect(await refusal('easypay', { options: undefined })).toEqual([{ path: 'options.payType', rule: 'required', message: 'options.payType is required for easypay' }]);
  });

  it('a misspelt refund field', async () => {
    expect((await refusal('tipay', { refundID: 'x' }))[0]).toMatchObject({ path: 'refundID', rule: 'additionalProperties' });
  });

  it('a currency the provider does not take (eftpay hkd, tipay USD)', async () => {
    expect((await refusal('eftpay', { currency: 'hkd' }))[0]).toMatchObject({ path: 'currency', message: 'currency must be one of HKD for eftpay' });
    expect((await refusal('tipay', { currency: 'USD' }))[0]).toMatchObject({ path: 'currency', message: 'currency must be one of CNY for tipay' });
  });

  it('a refund on an unconfigured provider is a NotFoundError, nothing sent', async () => {
    const script = scripted();
    const refunds = facade('tipay', script);
    await expect(refunds.refund(input('lianke') as never)).rejects.toBeInstanceOf(NotFoundError);
    expect(script.calls).toHaveLength(0);
  });
});
