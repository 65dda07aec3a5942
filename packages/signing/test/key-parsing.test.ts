/**
 * Keys are parsed when a signer is created and never again per call: node:crypto's parsers are
 * wrapped to count calls (in src/node-crypto.js, through which the package loads node:crypto).
 */
import { describe, expect, it, vi } from 'vitest';

const calls = vi.hoisted(() => ({ createPrivateKey: 0, createPublicKey: 0 }));

vi.mock('../src/node-crypto.js', async () => {
  const actual = await import('node:crypto');
  const counted = {
    ...actual,
    createPrivateKey: (...args: Parameters<typeof actual.createPrivateKey>) => {
      calls.createPrivateKey++;
      return actual.createPrivateKey(...args);
    },
    createPublicKey: (...args: Parameters<typeof actual.createPublicKey>) => {
      calls.createPublicKey++;
      return actual.createPublicKey(...args);
    },
  };
  return { nodeCrypto: () => counted };
});

const { createEasypaySigner } = await import('../src/index.js');
const { keys, vectors } = await import('./support.js');

describe('key parsing', () => {
  it('happens once per signer, not per sign or verify', () => {
    const before = { ...calls };
    const signer = createEasypaySigner({ privateKey: keys.privatePkcs1, easypayPublicKey: keys.certificate });
    expect(calls.createPrivateKey - before.createPrivateKey).toBe(1);
    expect(calls.createPublicKey - before.createPublicKey).toBe(1);

    const vector = vectors.easypay.vectors[0]!;
    for (let i = 0; i < 5; i++) {
      const signed = signer.signRequest({ reqHeader: vector.header, reqBody: vector.body });
      expect(signed.reqSign).toBe(vector.signature.value);
      expect(signer.verifyNotification(signed)).toEqual({ valid: true });
    }
    expect(calls.createPrivateKey - before.createPrivateKey).toBe(1);
    expect(calls.createPublicKey - before.createPublicKey).toBe(1);
  });
});
