/**
 * Adding a provider (DEVELOPERS.md, "Adding a provider") is: its spec, its adapter, its sandbox
 * handler. The registry is generated from `specs/`, so a spec registers a provider; this test fails
 * when a registered provider lacks any of the other parts, or when a part names a provider the
 * registry does not know. It also checks that the registry says what the generated packages say.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ADAPTERS } from '@refundkit/refunds';
import { PROVIDER_KEYS, REGISTRY, EFTPAY_MAX_AMOUNT, LIANKE_MAX_AMOUNT, YIMA_MAX_AMOUNT } from '@refundkit/registry';
import { SANDBOX_HANDLERS, ENDPOINT_PATHS, startSandbox } from '@refundkit/sandbox';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');

interface Parts {
  readonly specs: ReadonlySet<string>;
  readonly adapters: Readonly<Record<string, unknown>>;
  readonly handlers: Readonly<Record<string, unknown>>;
}

/** What each registered provider lacks, and the parts that name a provider nobody registered. */
function missingParts(keys: readonly string[], parts: Parts): string[] {
  const problems: string[] = [];
  for (const key of keys) {
    if (!parts.specs.has(key)) problems.push(`${key}: no spec (specs/${key}/)`);
    if (!Object.hasOwn(parts.adapters, key)) problems.push(`${key}: no adapter in ADAPTERS (packages/refunds/src/providers/index.ts)`);
    if (!Object.hasOwn(parts.handlers, key)) problems.push(`${key}: no sandbox handler in SANDBOX_HANDLERS (packages/sandbox/src/providers/handlers.ts)`);
  }
  for (const [part, table] of [['ADAPTERS', parts.adapters], ['SANDBOX_HANDLERS', parts.handlers]] as const) {
    for (const key of Object.keys(table)) if (!keys.includes(key)) problems.push(`${part} has ${key}, which the registry does not know`);
  }
  return problems;
}

const actual: Parts = {
  specs: new Set(PROVIDER_KEYS.filter((key) => existsSync(join(root, 'specs', key)))),
  adapters: ADAPTERS,
  handlers: SANDBOX_HANDLERS,
};

describe('every registered provider has its spec, its adapter and its sandbox handler', () => {
  it('the registry lists the five providers, one per folder of specs/', () => {
    expect([...PROVIDER_KEYS]).toEqual(['easypay', 'eftpay', 'lianke', 'tipay', 'yima']);
  });

  it('nothing is missing and nothing is extra', () => {
    expect(missingParts(PROVIDER_KEYS, actual)).toEqual([]);
  });

  it('a provider registered without an adapter or a sandbox handler is named, part by part', () => {
    expect(missingParts([...PROVIDER_KEYS, 'acme'], actual)).toEqual([
      'acme: no spec (specs/acme/)',
      'acme: no adapter in ADAPTERS (packages/refunds/src/providers/index.ts)',
      'acme: no sandbox handler in SANDBOX_HANDLERS (packages/sandbox/src/providers/handlers.ts)',
    ]);
    const { tipay: _adapter, ...adapters } = ADAPTERS;
    expect(missingParts(PROVIDER_KEYS, { ...actual, adapters })).toEqual(['tipay: no adapter in ADAPTERS (packages/refunds/src/providers/index.ts)']);
    expect(missingParts(PROVIDER_KEYS.filter((k) => k !== 'yima'), actual)).toEqual(['ADAPTERS has yima, which the registry does not know', 'SANDBOX_HANDLERS has yima, which the registry does not know']);
  });

  it.each(PROVIDER_KEYS)('%s: the adapter loads, for its key, and the generated package has the registry’s messages', async (key) => {
    const adapter = await ADAPTERS[key].load();
    expect(adapter.key).toBe(key);
    const pkg = (await import(`@refundkit/${key}`)) as { messageNames: readonly string[]; contract: { provider: string } };
    expect(pkg.contract.provider).toBe(key);
    expect([...pkg.messageNames].sort()).toEqual([...REGISTRY[key].messages].sort());
  });
});

describe('the sandbox serves each provider where its spec says', () => {
  it.each(PROVIDER_KEYS)('%s: every operation of the registry has an endpoint, at the spec’s path when it names one', async (key) => {
    for (const [operation, route] of Object.entries(REGISTRY[key].operations) as [keyof (typeof ENDPOINT_PATHS)[typeof key], { path: string | null }][]) {
      if (route.path !== null) expect(ENDPOINT_PATHS[key][operation]).toBe(route.path);
      else expect(ENDPOINT_PATHS[key][operation]).toMatch(/^\//);
    }
  });

  it('a refund request to each provider’s endpoint reaches its handler (not a 404)', async () => {
    const sandbox = await startSandbox({ port: 0 });
    try {
      for (const key of PROVIDER_KEYS) {
        const { method }: { method: string } = REGISTRY[key].operations.refund;
        const response = await fetch(sandbox.endpoints[key].refund, { method, ...(method === 'GET' ? {} : { body: 'x' }) });
        await response.arrayBuffer();
        expect(response.status, key).not.toBe(404);
      }
    } finally {
      await sandbox.close();
    }
  });
});

describe('spec limits reach the code as generated constants', () => {
  it('the largest refunds come from the amount fields’ schemas', () => {
    expect(EFTPAY_MAX_AMOUNT).toBe(9_999_999); // transaction_amount String(8): 99999.99
    expect(LIANKE_MAX_AMOUNT).toBe(9_999_999_999); // refund_amount maximum 9999999999 fen
    expect(YIMA_MAX_AMOUNT).toBe(999_999_999); // tx_amt Number(9) fen
    expect(REGISTRY.tipay.refundAmount.max).toBeNull();
  });

  it('eftpay’s wallet table is the spec’s if/then rules, one row per payment type', async () => {
    const { EFTPAY_WALLETS, EFTPAY_PAYMENT_TYPES } = await import('@refundkit/refunds');
    expect(EFTPAY_PAYMENT_TYPES).toEqual(REGISTRY.eftpay.enums['refund.request'].payment_type);
    expect(EFTPAY_WALLETS.ALIPAYHK).toEqual({ service: 'service.alipay.qrcode.Refund', queryService: 'service.alipay.qrcode.Query', paytype: 'Alipay' });
    expect(EFTPAY_WALLETS.UNIONPAY).toEqual({ service: 'service.unionpay.qrcode.csb.Refund', queryService: 'service.unionpay.qrcode.csb.Query', paytype: 'UnionPay' });
    expect(EFTPAY_WALLETS.GBPAY.queryService).toBe('api.service.gbpay.qrcode.cash.Query');
  });
});
