import { isProviderKey, PROVIDER_KEYS, type ProviderKey } from '@refundkit/registry';

/** The simulated providers: every key of the provider registry (one per folder of `specs/`). */
export const PROVIDERS = PROVIDER_KEYS;

export type Provider = ProviderKey;

/** The two operations a provider serves here: a refund and the query of a refund's state. */
export type Operation = 'refund' | 'queryRefund';

export function isProvider(value: unknown): value is Provider {
  return isProviderKey(value);
}
