/**
 * A verified, contract-valid answer from a provider. `data` is the typed body; `rawBody` is the
 * text exactly as received (decoded from GBK for yima), kept for audit and for fields the
 * contract does not name.
 */
export interface ProviderResult<T> {
  readonly data: T;
  readonly rawBody: string;
  readonly status: number;
  /**
   * Fields whose value is JSON text (e.g. Ti-Pay's `refundAccountDetail`), parsed without floats,
   * money in minor units, by dotted path. Empty when the contract marks none.
   */
  readonly parsed: Readonly<Record<string, unknown>>;
}
