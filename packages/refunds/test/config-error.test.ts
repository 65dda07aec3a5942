import { describe, expect, it } from 'vitest';
import { ConfigError, createRefunds } from '../src/index.js';

describe('a provider configuration that cannot be used', () => {
  it('is a ConfigError naming the provider, raised before anything is sent, without the key', async () => {
    let sent = 0;
    const refunds = createRefunds({
      providers: { easypay: { baseUrl: 'http://127.0.0.1:9', mchtCode: '531000023045074', privateKey: 'not-a-pem-SECRETISH', easypayPublicKey: 'also-not-a-pem' } as never },
      fetch: async () => ((sent += 1), new Response('{}')),
    });
    const error = await refunds
      .refund({ provider: 'easypay', orderId: 'o-1', refundId: 'r-1', amount: 1, currency: 'CNY', options: { payType: 'AliPayRefund', oriTransDate: '20250101' } } as never)
      .then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toMatch(/^easypay configuration: /);
    expect((error as ConfigError).message).not.toContain('SECRETISH');
    expect(sent).toBe(0);
  });
});
