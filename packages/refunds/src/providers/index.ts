import type { ProviderKey } from '../model.js';
import type { ProviderAdapter } from './adapter.js';
import { easypayAdapter, type EasypayConfig, type EasypayOptions } from './easypay.js';
import { eftpayAdapter, type EftpayConfig, type EftpayOptions } from './eftpay.js';
import { liankeAdapter, type LiankeConfig, type LiankeOptions } from './lianke.js';
import { tipayAdapter, type TipayConfig, type TipayOptions } from './tipay.js';
import { yimaAdapter, type YimaConfig, type YimaOptions } from './yima.js';

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

/** The adapters, by provider key. */
export const ADAPTERS: { readonly [P in ConfiguredProvider]: ProviderAdapter<ProviderConfigs[P], ProviderOptions[P], unknown> } = {
  easypay: easypayAdapter as ProviderAdapter<EasypayConfig, EasypayOptions, unknown>,
  eftpay: eftpayAdapter as ProviderAdapter<EftpayConfig, EftpayOptions, unknown>,
  lianke: liankeAdapter as ProviderAdapter<LiankeConfig, LiankeOptions, unknown>,
  tipay: tipayAdapter as ProviderAdapter<TipayConfig, TipayOptions, unknown>,
  yima: yimaAdapter as ProviderAdapter<YimaConfig, YimaOptions, unknown>,
};
