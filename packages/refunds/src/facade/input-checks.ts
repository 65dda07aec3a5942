// Checks of what a caller passes, before anything is reserved or sent: each a typed
// `ValidationError` (or `ConfigIssue`) naming the field and the rule.
import { ValidationError } from '@refundkit/runtime';
import type { ConfigIssue, ConfigRules, SettingRule } from '../config/config-rules.js';
import { invalid } from '../providers/adapter.js';
import { ADAPTERS, type ConfiguredProvider } from '../providers/index.js';
import type { RefundInput } from '../refund-input.js';
import { blockIssues } from './accounts.js';

// For the facade: the batch label is checked with the rest of a refund's input.
export { batchFields } from '../batch/batch-label.js';
export type { RefundsBatch } from '../batch/batch-api.js';

/** Goods lines: ids and names as text, quantity a positive integer, price integer minor units. */
export function checkItems(items: unknown): void {
  if (!Array.isArray(items)) throw invalid('items', 'type array', 'must be an array of { id, name, quantity, price }');
  items.forEach((item: unknown, i) => {
    const at = `items[${i}]`;
    if (item === null || typeof item !== 'object') throw invalid(at, 'type object', 'must be { id, name, quantity, price }');
    const { id, name, quantity, price } = item as Record<string, unknown>;
    if (typeof id !== 'string' || id === '') throw invalid(`${at}.id`, 'required', 'must be a non-empty string');
    if (typeof name !== 'string' || name === '') throw invalid(`${at}.name`, 'required', 'must be a non-empty string');
    if (!Number.isSafeInteger(quantity)) throw invalid(`${at}.quantity`, 'type integer', 'must be a whole number');
    if ((quantity as number) <= 0) throw invalid(`${at}.quantity`, 'minimum 1', 'must be at least 1');
    if (!Number.isSafeInteger(price)) throw invalid(`${at}.price`, 'type integer', 'must be an integer count of minor units');
    if ((price as number) < 0) throw invalid(`${at}.price`, 'minimum 0', 'must not be negative');
  });
}

export function checkCommonInput(input: RefundInput, currencies: readonly string[]): void {
  if (!Number.isSafeInteger(input.amount) || input.amount <= 0) throw invalid('amount', 'minimum 1', 'must be a positive integer count of minor units');
  if (input.orderAmount !== undefined && (!Number.isSafeInteger(input.orderAmount) || input.orderAmount <= 0)) {
    throw invalid('orderAmount', 'minimum 1', 'must be a positive integer count of minor units');
  }
  if (typeof input.refundId !== 'string' || input.refundId === '') throw invalid('refundId', 'required', 'is required');
  if (typeof input.orderId !== 'string' || input.orderId === '') throw invalid('orderId', 'required', 'is required');
  if (input.items !== undefined) checkItems(input.items);
  if (!currencies.includes(input.currency)) throw invalid('currency', `enum [${currencies.join(', ')}]`, `must be one of ${currencies.join(', ')} for ${input.provider}`);
}

/** The fields a refund input may carry; anything else (a misspelt field, in plain JS) is refused by name. */
const INPUT_FIELDS = new Set(['provider', 'account', 'orderId', 'refundId', 'amount', 'currency', 'orderAmount', 'reason', 'items', 'notifyUrl', 'options']);

/**
 * The provider's per-refund options, checked against its entry before anything is reserved: an
 * unknown key (another provider's option, a misspelling) is refused naming the key, a required
 * one naming the provider.
 */
export function checkOptions(provider: ConfiguredProvider, rules: ConfigRules<unknown>, input: { readonly options?: unknown }): void {
  for (const key of Object.keys(input)) {
    if (!INPUT_FIELDS.has(key)) throw invalid(key, 'additionalProperties', `is not a refund field (known: ${[...INPUT_FIELDS].join(', ')})`);
  }
  const options = input.options;
  const settings = rules.settings as Readonly<Record<string, SettingRule>>;
  const known = Object.keys(settings);
  if (options !== undefined && (options === null || typeof options !== 'object' || Array.isArray(options))) throw invalid('options', 'type object', `must be an object of ${provider} options`);
  const given = (options ?? {}) as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    if (!Object.hasOwn(settings, key)) {
      throw invalid(`options.${key}`, 'additionalProperties', known.length === 0 ? `is not an option of ${provider}, which takes none` : `is not an option of ${provider} (its options: ${known.join(', ')})`);
    }
  }
  // Values are the adapter's to judge (with the contract's rule names); presence is judged here.
  for (const [key, rule] of Object.entries(settings)) {
    const value = given[key];
    if (rule.required && (value === undefined || value === '')) throw invalid(`options.${key}`, 'required', `is required for ${provider}`);
  }
}

/**
 * Every problem of the configuration, each with its path: unknown providers, and every setting of
 * every block (of every account, for a block with `accounts`) against its provider's rules
 * (providers/index.ts `ADAPTERS`; facade/accounts.ts).
 */
export function configIssues(providers: unknown): ConfigIssue[] {
  if (providers === null || typeof providers !== 'object' || Array.isArray(providers)) return [{ path: 'providers', message: 'must be an object with one block per provider' }];
  const issues: ConfigIssue[] = [];
  const keys = Object.keys(providers);
  if (keys.length === 0) issues.push({ path: 'providers', message: `configure at least one provider (${Object.keys(ADAPTERS).join(', ')})` });
  for (const key of keys) {
    if (!Object.hasOwn(ADAPTERS, key)) {
      issues.push({ path: `providers.${key}`, message: `unknown provider (refundkit knows ${Object.keys(ADAPTERS).join(', ')})` });
      continue;
    }
    issues.push(...blockIssues(key as ConfiguredProvider, (providers as Record<string, unknown>)[key]));
  }
  return issues;
}

/** A duration option: a typed `ValidationError` naming it and the rule, never a plain RangeError. */
export function checkMs(name: string, value: unknown, minimum = 1, unit = 'milliseconds'): void {
  if (value !== undefined && (!Number.isSafeInteger(value) || (value as number) < minimum)) {
    throw new ValidationError('options', [{ path: name, rule: `minimum ${minimum}`, message: `${name} must be an integer ≥ ${minimum} (${unit}), got ${String(value)}` }]);
  }
}

