/**
 * The five simulated providers, by the key refundkit uses everywhere (PROVIDERS.md, first table).
 */
export const PROVIDERS = ['easypay', 'eftpay', 'lianke', 'tipay', 'yima'] as const;

export type Provider = (typeof PROVIDERS)[number];

/** The two operations a provider serves here: a refund and the query of a refund's state. */
export type Operation = 'refund' | 'queryRefund';

export function isProvider(value: unknown): value is Provider {
  return typeof value === 'string' && (PROVIDERS as readonly string[]).includes(value);
}
