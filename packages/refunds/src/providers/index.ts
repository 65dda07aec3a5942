import type { ProviderKey } from '../model.js';
import type { ProviderAdapter } from './adapter.js';
import { tipayAdapter, type TipayConfig, type TipayOptions } from './tipay.js';

/** Each provider's configuration, as `createRefunds({ providers })` takes it. */
export interface ProviderConfigs {
  tipay: TipayConfig;
}

/** Each provider's per-refund options (`refund({ options })`). */
export interface ProviderOptions {
  tipay: TipayOptions;
}

export type ConfiguredProvider = keyof ProviderConfigs & ProviderKey;

/** The adapters, by provider key. */
export const ADAPTERS: { readonly [P in ConfiguredProvider]: ProviderAdapter<ProviderConfigs[P], ProviderOptions[P], unknown> } = {
  tipay: tipayAdapter as ProviderAdapter<TipayConfig, TipayOptions, unknown>,
};
