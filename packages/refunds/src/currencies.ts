// Each provider's refund currencies as a type of its own name, read from the registry (issue 14:
// compiler messages that name the provider). TypeScript prints a type by its alias only when the
// alias made that type: an indexed access such as `(typeof REGISTRY.tipay.currencies)[number]`
// returns the registry's existing type (printed `"CNY"`), and a one-member union is that member.
// So a provider with several currencies gets a union re-made under its name (`Exclude<…, never>`
// builds a new union, which keeps the alias and TypeScript's "Did you mean" hint); a provider
// with one gets that literal branded with the provider (an optional symbol-keyed property no
// value has, so the plain literal still fits), and the message reads
// `Type '"USD"' is not assignable to type 'TipayCurrency'`.
import type { REGISTRY } from '@refundkit/registry';

declare const refundCurrencyOf: unique symbol;

/** Marks a single-currency type with its provider, for the compiler's messages only (no value carries it). */
export interface CurrencyOfProvider<P extends string> {
  readonly [refundCurrencyOf]?: P;
}

/** The currencies the spec lists for provider `P` (`x-refundkit-currencies`), unnamed. */
type SpecCurrency<P extends keyof typeof REGISTRY> = (typeof REGISTRY)[P]['currencies'][number];

/** Ti-Pay refunds in CNY only (specs/tipay/openapi.yaml `x-refundkit-currencies`). */
export type TipayCurrency = SpecCurrency<'tipay'> & CurrencyOfProvider<'tipay'>;
/** EasyPay refunds in CNY only (specs/easypay/openapi.yaml `x-refundkit-currencies`). */
export type EasypayCurrency = SpecCurrency<'easypay'> & CurrencyOfProvider<'easypay'>;
/** Lianke refunds in CNY only (specs/lianke/openapi.yaml `x-refundkit-currencies`). */
export type LiankeCurrency = SpecCurrency<'lianke'> & CurrencyOfProvider<'lianke'>;
/** yima refunds in CNY only (specs/yima/common.xsd `refundkit:currencies`). */
export type YimaCurrency = SpecCurrency<'yima'> & CurrencyOfProvider<'yima'>;
/** An eftPay account's currency, HKD or CNY (specs/eftpay/openapi.yaml `x-refundkit-currencies`). */
export type EftpayCurrency = Exclude<SpecCurrency<'eftpay'>, never>;
