// The refund input, one interface per provider, united by `provider`: the compiler checks an
// object literal against the one member its `provider` names, so a mistake is reported against
// that provider's type (`EasypayRefundInput`, `EasypayOptions`) and field, never against the
// union of all five (issue 14).
import type { EasypayCurrency, EftpayCurrency, LiankeCurrency, TipayCurrency, YimaCurrency } from './currencies.js';
import type { RefundItem, RefundRequest } from './providers/adapter.js';
import type { ConfiguredProvider, ProviderOptions } from './providers/index.js';
import type { EasypayOptions } from './providers/easypay.js';
import type { EftpayOptions } from './providers/eftpay.js';
import type { YimaOptions } from './providers/yima.js';

/** What every refund says, whatever the provider. */
export interface RefundFields {
  /**
   * The merchant account to refund for, by its name under the provider's `accounts`; without
   * it, the provider's default account (the only one, for a block without `accounts`).
   *
   * @example account: 'shopA'
   */
  readonly account?: string | undefined;
  /**
   * The order (payment) being refunded, as the merchant numbered it (tipay `orderId`, eftpay
   * `out_trade_no`, easypay `oriOrgTrace`, lianke `order_no`, yima `org_pos_seq`).
   *
   * @example orderId: 'order123456789'
   */
  readonly orderId: string;
  /**
   * This refund's number, unique per provider and merchant. Retry with the **same** id: the
   * ledger makes sure it is refunded once.
   *
   * @example refundId: 'refundorder987654'
   */
  readonly refundId: string;
  /**
   * Integer minor units (fen, cents), > 0.
   *
   * @example amount: 8888 // 88.88 CNY
   */
  readonly amount: number;
  /**
   * The order's total in minor units, when known: caps the refunds on the order
   * (`OverRefundError` before anything is sent).
   *
   * @example orderAmount: 10000
   */
  readonly orderAmount?: number | undefined;
  /**
   * Why, where the provider carries it (tipay `description`, easypay, lianke, yima).
   *
   * @example reason: 'customer returned the goods'
   */
  readonly reason?: string | undefined;
  /**
   * Goods lines refunded (lianke `itemlist`, yima `goods_detail`), prices in minor units.
   *
   * @example items: [{ id: 'sku-1', name: 'tea', quantity: 1, price: 8888 }]
   */
  readonly items?: readonly RefundItem[] | undefined;
  /**
   * Where the provider notifies the result, overriding the configuration's (tipay, easypay).
   *
   * @example notifyUrl: 'https://shop.example.com/notify/tipay'
   */
  readonly notifyUrl?: string | undefined;
}

/** Ti-Pay takes no per-refund options: any key given is refused by name (at compile time and at run time). */
export interface TipayTakesNoOptions {
  readonly tipayTakesNoOptions?: never;
}

/** Lianke takes no per-refund options (`items` become `itemlist`, `orderAmount` becomes `amount`). */
export interface LiankeTakesNoOptions {
  readonly liankeTakesNoOptions?: never;
}

/** A Ti-Pay refund: in CNY, no options. */
export interface TipayRefundInput extends RefundFields {
  readonly provider: 'tipay';
  /** Ti-Pay refunds in CNY only. @example currency: 'CNY' */
  readonly currency: TipayCurrency;
  /** Ti-Pay takes no per-refund options. */
  readonly options?: TipayTakesNoOptions | undefined;
}

/** An EasyPay refund: in CNY, with the original payment's `payType` and `oriTransDate`. */
export interface EasypayRefundInput extends RefundFields {
  readonly provider: 'easypay';
  /** EasyPay refunds in CNY only. @example currency: 'CNY' */
  readonly currency: EasypayCurrency;
  /**
   * Required by EasyPay's request: `payType` and `oriTransDate`.
   *
   * @example options: { payType: 'AliPayRefund', oriTransDate: '20250101' }
   */
  readonly options: EasypayOptions;
}

/** An eftPay refund: in the account's currency (HKD or CNY), with the original payment's wallet. */
export interface EftpayRefundInput extends RefundFields {
  readonly provider: 'eftpay';
  /** The currency of the merchant's eftPay account (the configuration's `currency`, default HKD). @example currency: 'HKD' */
  readonly currency: EftpayCurrency;
  /**
   * Required: `paymentType`, the wallet of the original payment (`service` and `paytype` follow).
   *
   * @example options: { paymentType: 'ALIPAYHK' }
   */
  readonly options: EftpayOptions;
}

/** A Lianke refund: in CNY, no options (`items` become `itemlist`). */
export interface LiankeRefundInput extends RefundFields {
  readonly provider: 'lianke';
  /** Lianke refunds in CNY only. @example currency: 'CNY' */
  readonly currency: LiankeCurrency;
  /** Lianke takes no per-refund options. */
  readonly options?: LiankeTakesNoOptions | undefined;
}

/** A yima refund: in CNY; `payType` optional. */
export interface YimaRefundInput extends RefundFields {
  readonly provider: 'yima';
  /** yima refunds in CNY only. @example currency: 'CNY' */
  readonly currency: YimaCurrency;
  /**
   * Optional: `payType` `503` (WeChat Pay), the only value the document lists.
   *
   * @example options: { payType: '503' }
   */
  readonly options?: YimaOptions | undefined;
}

/** Each provider's refund input. */
export interface RefundInputs {
  easypay: EasypayRefundInput;
  eftpay: EftpayRefundInput;
  lianke: LiankeRefundInput;
  tipay: TipayRefundInput;
  yima: YimaRefundInput;
}

/**
 * A refund request for one of the providers `P`, discriminated by `provider`: `currency` and
 * `options` are that provider's.
 *
 * @example
 * const input: RefundInput = { provider: 'eftpay', orderId: '20190823191819', refundId: 'R20190824094947', amount: 1001, currency: 'HKD', options: { paymentType: 'ALIPAYHK' } };
 */
export type RefundInput<P extends ConfiguredProvider = ConfiguredProvider> = RefundInputs[P];

/** The currencies each provider refunds in. */
export type RefundCurrency<P extends ConfiguredProvider = ConfiguredProvider> = RefundInputs[P]['currency'];

/**
 * The input `refund` checks a call against: the provider is inferred from `provider` first, then
 * the whole object is checked against that one provider's input, so a compiler error names
 * that provider's type and field (`Property 'oriTransDate' is missing ... in type
 * 'EasypayOptions'`), not the union of all five.
 */
export type RefundInputOf<K extends ConfiguredProvider> = { readonly provider: K } & RefundInputs[K];

/**
 * The options of an input fit the options its adapter takes: the same type, or, for a provider
 * that takes none (`Record<string, never>`), an input type whose keys can hold no value
 * (`TipayTakesNoOptions`, named so that a mistake reads well, issue 14).
 */
type OptionsFit<Given, Taken> = [Given] extends [Taken] ? true : [Taken] extends [Record<string, never>] ? ([Given[keyof Given]] extends [undefined] ? true : false) : false;

/**
 * The providers whose refund input is not a request in their own options; it must be none
 * (the constant below fails to compile otherwise), which is what makes {@link requestOf} safe.
 */
type InputsNotRequests = {
  [P in ConfiguredProvider]: Omit<RefundInputs[P], 'provider' | 'options'> extends Omit<RefundRequest, 'options'>
    ? OptionsFit<NonNullable<RefundInputs[P]['options']>, ProviderOptions[P]> extends true ? never : P
    : P;
}[ConfiguredProvider];
const inputsAreRequests: [InputsNotRequests] extends [never] ? true : never = true;
void inputsAreRequests;

/** The input as the request its provider's adapter takes (`prepareRefund`). */
export function requestOf<K extends ConfiguredProvider>(input: RefundInputOf<K>): RefundRequest<ProviderOptions[K]> {
  // Holds for every K (InputsNotRequests is never), but the compiler cannot relate two indexed types over a generic K.
  return input as RefundRequest<ProviderOptions[K]>;
}
