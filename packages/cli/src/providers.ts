import { PROVIDER_KEYS, type ProviderKey } from '@refundkit/registry';
import type { ProviderOptions } from '@refundkit/refunds';

/** The provider keys the CLI knows: the provider registry's (one per folder of `specs/`). */
export { PROVIDER_KEYS };

/** The `--option` keys each provider's typed options have (`ProviderOptions`); any other key is refused. */
export const OPTION_KEYS: { readonly [P in keyof ProviderOptions]: readonly (keyof ProviderOptions[P] & string)[] } = {
  easypay: ['payType', 'oriTransDate'],
  eftpay: ['paymentType', 'buyerType'],
  lianke: [],
  tipay: [],
  yima: ['payType'],
};

/** What the CLI needs of a generated package to validate messages. */
export interface ContractPackage {
  readonly messageNames: readonly string[];
  validateMessage(name: string, value: unknown): unknown;
  readMessage?: (name: string, bytes: Uint8Array) => unknown;
}

/**
 * Loads `@refundkit/<provider>` on demand, so a command pays only for the provider it uses. The
 * key comes from the registry, so the package name is one of the CLI's dependencies; an import by
 * a computed name has no static type, hence the `ContractPackage` it is read as.
 */
export async function loadProviderPackage(provider: ProviderKey): Promise<ContractPackage> {
  return (await import(`@refundkit/${provider}`)) as ContractPackage;
}
