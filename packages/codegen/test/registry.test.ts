import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { maxMinorUnits, providerFacts, providerKeys, renderRegistry } from '../src/index.js';

const root = join(import.meta.dirname, '..', '..', '..');

describe('maxMinorUnits: the largest refund an amount field carries', () => {
  it('an integer of minor units: its maximum', () => {
    expect(maxMinorUnits({ type: 'integer', minimum: 1, maximum: 9_999_999_999 }, 'minor')).toBe(9_999_999_999);
  });

  it('a decimal string of major units, String(N) with at most two decimals: N - 1 digits', () => {
    expect(maxMinorUnits({ type: 'string', maxLength: 8, pattern: '^\\d+(\\.\\d{1,2})?$' }, 'major')).toBe(9_999_999);
  });

  it('no limit stated: null', () => {
    expect(maxMinorUnits({ type: 'string', pattern: '^\\d+\\.\\d{2}$' }, 'major')).toBeNull();
    expect(maxMinorUnits({ type: 'integer', minimum: 1 }, 'minor')).toBeNull();
  });

  it('a length limit without a two-decimal pattern is refused, not guessed', () => {
    expect(() => maxMinorUnits({ type: 'string', maxLength: 8, pattern: '^\\d+$' }, 'major')).toThrow(/two decimals/);
  });
});

describe('the registry read from specs/', () => {
  it('has one provider per folder of specs/', () => {
    expect(providerKeys(root)).toEqual(['easypay', 'eftpay', 'lianke', 'tipay', 'yima']);
    expect(renderRegistry(root)['src/registry.ts']).toContain('export const PROVIDER_KEYS = ["easypay","eftpay","lianke","tipay","yima"] as const');
  });

  it('eftpay: currencies, one route for both operations, and the service table from the if/then rules', () => {
    const eftpay = providerFacts(root, 'eftpay');
    expect(eftpay.currencies).toEqual(['HKD', 'CNY']);
    expect(eftpay.operations).toEqual({ refund: { method: 'POST', path: '/VMP/Servlet/JSAPIService.do' }, queryRefund: { method: 'POST', path: '/VMP/Servlet/JSAPIService.do' } });
    expect(eftpay.choices['refund.request']?.key).toBe('service');
    expect(eftpay.choices['refund.request']?.rows).toContainEqual({ service: ['service.wechat.qrcode.Refund'], paytype: ['WeChat'], payment_type: ['WECHATCN', 'WECHATHK'] });
    expect(eftpay.enums['refund.request']?.['buyertype']).toEqual(['ios', 'android', 'others']);
    expect(eftpay.refundAmount).toEqual({ message: 'refund.request', field: 'transaction_amount', unit: 'major', max: 9_999_999 });
  });

  it('yima (XSD): the refund amount from totalDigits, the path left to the merchant', () => {
    const yima = providerFacts(root, 'yima');
    expect(yima.format).toBe('xml');
    expect(yima.currencies).toEqual(['CNY']);
    expect(yima.refundAmount.max).toBe(999_999_999);
    expect(yima.operations['refund']).toEqual({ method: 'POST', path: null });
  });
});
