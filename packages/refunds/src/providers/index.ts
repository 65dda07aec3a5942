import { REGISTRY } from '@refundkit/registry';
import type { ConfigRules } from '../config/config-rules.js';
import type { ProviderKey } from '../model.js';
import type { ProviderAdapter } from './adapter.js';
import type { EasypayConfig, EasypayOptions } from './easypay.js';
import type { EftpayConfig, EftpayOptions } from './eftpay.js';
import { EFTPAY_PAYMENT_TYPES } from './eftpay.js';
import type { LiankeConfig, LiankeOptions } from './lianke.js';
import type { TipayConfig, TipayOptions } from './tipay.js';
import type { YimaConfig, YimaOptions } from './yima.js';

/** Each provider's configuration, as `createRefunds({ providers })` takes it. */
export interface ProviderConfigs {
  easypay: EasypayConfig;
  eftpay: EftpayConfig;
  lianke: LiankeConfig;
  tipay: TipayConfig;
  yima: YimaConfig;
}

/** Each provider's per-refund options (`refund({ options })`). */
export interface ProviderOptions {
  easypay: EasypayOptions;
  eftpay: EftpayOptions;
  lianke: LiankeOptions;
  tipay: TipayOptions;
  yima: YimaOptions;
}

export type ConfiguredProvider = keyof ProviderConfigs & ProviderKey;

/**
 * Fails to compile when the registry (the specs) and the configurations disagree: every provider
 * with a spec needs a configuration here, an adapter in {@link ADAPTERS}, and a sandbox handler
 * (DEVELOPERS.md, "Adding a provider"; test/registry.test.ts checks all three at run time).
 */
type SameKeys<A, B> = [Exclude<A, B> | Exclude<B, A>] extends [never] ? true : never;
const configsCoverRegistry: SameKeys<keyof ProviderConfigs, ProviderKey> = true;
const optionsCoverRegistry: SameKeys<keyof ProviderOptions, ProviderKey> = true;
void configsCoverRegistry;
void optionsCoverRegistry;

/**
 * What the facade knows of a provider without loading it: its currencies, and how to load its
 * adapter. The adapter imports the provider's generated package (client, validators, codec), so
 * it is loaded at the first refund, query or notification of that provider, never when
 * `@refundkit/refunds` is imported (cold start, issue #7).
 */
export interface ProviderEntry<Config, Options> {
  readonly key: ConfiguredProvider;
  /** Every currency the provider refunds in (the `currency` type of its refunds). */
  readonly currencyValues: readonly string[];
  /** Currencies a refund under this configuration may be in; the first is the default. */
  currencies(config: Config): readonly string[];
  /** Each setting of the provider's configuration and what it must be: `createRefunds` checks every block against these. */
  readonly config: ConfigRules<Config>;
  /**
   * Each per-refund option the provider takes (`refund({ options })`), required or not: an
   * option not named here is refused before anything is reserved, naming the key.
   */
  readonly options: ConfigRules<Options>;
  /**
   * The merchant account a configuration refunds for, as the provider knows it: part of every
   * refund's identity in the ledger, so configurations sharing a ledger never meet.
   */
  accountOf(config: Config): string;
  /** The provider's adapter, imported once, at first use. */
  load(): Promise<ProviderAdapter<Config, Options, unknown>>;
}

/** Memoizes `load`: the module is imported once, and a failed import is tried again next time. */
export function once<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () => {
    loading ??= load().catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
    return loading;
  };
}

/** The providers, by key. */
export const ADAPTERS: { readonly [P in ConfiguredProvider]: ProviderEntry<ProviderConfigs[P], ProviderOptions[P]> } = {
  easypay: {
    key: 'easypay',
    accountOf: (config) => config.mchtCode,
    currencyValues: REGISTRY.easypay.currencies,
    currencies: () => REGISTRY.easypay.currencies,
    config: {
      settings: {
        baseUrl: { kind: 'url', required: true },
        mchtCode: { kind: 'string', required: true },
        privateKey: { kind: 'privateKey' },
        privateKeyFile: { kind: 'file' },
        privateKeyPassphrase: { kind: 'secret' },
        easypayPublicKey: { kind: 'publicKey' },
        easypayPublicKeyFile: { kind: 'file' },
        easypayPublicKeys: { kind: 'publicKeys' },
        notifyUrl: { kind: 'url' },
        reqType: { kind: 'enum', values: ['1', '2'] },
        certificateId: { kind: 'string' },
      },
      oneOf: [
        ['privateKey', 'privateKeyFile'],
        ['easypayPublicKey', 'easypayPublicKeyFile', 'easypayPublicKeys'],
      ],
    },
    options: { settings: { payType: { kind: 'string', required: true }, oriTransDate: { kind: 'string', required: true } } },
    load: once(async () => (await import('./easypay-adapter.js')).easypayAdapter as ProviderAdapter<EasypayConfig, EasypayOptions, unknown>),
  },
  eftpay: {
    key: 'eftpay',
    accountOf: (config) => config.userConfirmKey,
    currencyValues: REGISTRY.eftpay.currencies,
    // The account's one currency: the configured one, else the spec's default.
    currencies: (config) => [config.currency ?? REGISTRY.eftpay.currencies[0]],
    config: {
      settings: {
        baseUrl: { kind: 'url', required: true },
        userConfirmKey: { kind: 'string', required: true },
        secretCode: { kind: 'secret', required: true },
        previousSecretCodes: { kind: 'secrets' },
        currency: { kind: 'enum', values: REGISTRY.eftpay.currencies },
      },
    },
    options: { settings: { paymentType: { kind: 'enum', values: EFTPAY_PAYMENT_TYPES, required: true }, buyerType: { kind: 'enum', values: ['ios', 'android', 'others'] } } },
    load: once(async () => (await import('./eftpay-adapter.js')).eftpayAdapter as ProviderAdapter<EftpayConfig, EftpayOptions, unknown>),
  },
  lianke: {
    key: 'lianke',
    accountOf: (config) => config.storeNo,
    currencyValues: REGISTRY.lianke.currencies,
    currencies: () => REGISTRY.lianke.currencies,
    config: {
      settings: {
        baseUrl: { kind: 'url', required: true },
        storeNo: { kind: 'string', required: true },
        operator: { kind: 'string', required: true },
        auth: { kind: 'function' },
      },
    },
    options: { settings: {} },
    load: once(async () => (await import('./lianke-adapter.js')).liankeAdapter as ProviderAdapter<LiankeConfig, LiankeOptions, unknown>),
  },
  tipay: {
    key: 'tipay',
    accountOf: (config) => config.merchantNo,
    currencyValues: REGISTRY.tipay.currencies,
    currencies: () => REGISTRY.tipay.currencies,
    config: {
      settings: {
        baseUrl: { kind: 'url', required: true },
        appId: { kind: 'string', required: true },
        appKey: { kind: 'secret', required: true },
        previousAppKeys: { kind: 'secrets' },
        merchantNo: { kind: 'string', required: true },
        notifyUrl: { kind: 'url' },
      },
    },
    options: { settings: {} },
    load: once(async () => (await import('./tipay-adapter.js')).tipayAdapter as ProviderAdapter<TipayConfig, TipayOptions, unknown>),
  },
  yima: {
    key: 'yima',
    accountOf: (config) => `${config.isspid}/${config.posId}`,
    currencyValues: REGISTRY.yima.currencies,
    currencies: () => REGISTRY.yima.currencies,
    config: {
      settings: {
        baseUrl: { kind: 'url', required: true },
        isspid: { kind: 'string', required: true },
        systemId: { kind: 'string', required: true },
        posId: { kind: 'string', required: true },
        storeId: { kind: 'string', required: true },
        userId: { kind: 'string' },
        mac: { kind: 'function' },
      },
    },
    options: { settings: { payType: { kind: 'enum', values: ['503'] } } },
    load: once(async () => (await import('./yima-adapter.js')).yimaAdapter as ProviderAdapter<YimaConfig, YimaOptions, unknown>),
  },
};
