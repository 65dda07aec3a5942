import type { ProviderOptions } from '@refundkit/refunds';

/** The provider keys the CLI knows, and their generated contract packages. */
export const PROVIDER_KEYS = ['easypay', 'eftpay', 'lianke', 'tipay', 'yima'] as const;

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

/** Loads `@refundkit/<provider>` on demand, so a command pays only for the provider it uses. */
export async function loadProviderPackage(provider: string): Promise<ContractPackage> {
  switch (provider) {
    case 'easypay':
      return (await import('@refundkit/easypay')) as unknown as ContractPackage;
    case 'eftpay':
      return (await import('@refundkit/eftpay')) as unknown as ContractPackage;
    case 'lianke':
      return (await import('@refundkit/lianke')) as unknown as ContractPackage;
    case 'tipay':
      return (await import('@refundkit/tipay')) as unknown as ContractPackage;
    case 'yima':
      return (await import('@refundkit/yima')) as unknown as ContractPackage;
    default:
      throw new Error(`unknown provider ${provider}`);
  }
}
