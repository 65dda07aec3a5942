/**
 * Shared by the reliability suites (test/reliability/*.test.ts): the five providers configured
 * against a started sandbox (as `refundkit demo` does it), ids every provider accepts, refund
 * inputs, bounded waits, and the secret checker every suite runs over what it saw.
 *
 * Nothing here waits on wall-clock guesses: a sandbox with `delayMs: 0` shows a refund's final
 * state to the very next query, so `settle` is one query (bounded by a generous deadline).
 */
import { inspect } from 'node:util';
import { EASYPAY_CODES, EFTPAY_CODES, LIANKE_CODES, TIPAY_CODES, YIMA_CODES, type Sandbox } from '@refundkit/sandbox';
import { ADAPTERS, FINAL_STATUSES, type Refund, type RefundInput, type Refunds, type RefundsOptions } from '@refundkit/refunds';
import { RefundkitError } from '@refundkit/runtime';
import { Secret } from '@refundkit/signing';
import { expect } from 'vitest';
import { PROVIDER_KEYS } from '@refundkit/registry';

/** The providers, from the registry (generated from the specs): a provider added there is tested here. */
export const PROVIDERS = PROVIDER_KEYS;
export type Provider = (typeof PROVIDERS)[number];

/** The currency each provider's refunds are in (eftpay: the account's, HKD in the sandbox). */
export const CURRENCY: Readonly<Record<Provider, string>> = { easypay: 'CNY', eftpay: 'HKD', lianke: 'CNY', tipay: 'CNY', yima: 'CNY' };

/** The per-refund options each provider needs for the sandbox's orders (see the sandbox README). */
export const OPTIONS: Readonly<Record<Provider, Readonly<Record<string, string>>>> = {
  easypay: { payType: 'AliPayRefund', oriTransDate: '20250101' },
  eftpay: { paymentType: 'ALIPAYHK' },
  lianke: {},
  tipay: {},
  yima: {},
};

/** Each provider's refusal code for "more than the order has left", as the facade records it. */
export const OVER_REFUND_CODE: Readonly<Record<Provider, string>> = {
  easypay: EASYPAY_CODES.exceedsRefundable,
  eftpay: EFTPAY_CODES.exceedsRefundable,
  lianke: LIANKE_CODES.exceedsRefundable,
  tipay: String(TIPAY_CODES.exceedsRefundable),
  yima: YIMA_CODES.exceedsRefundable,
};

/** Providers whose answers carry the order's total (eftpay `original_amount`, lianke `total_amount`): the ledger learns it. */
export const LEARNS_ORDER_TOTAL: ReadonlySet<Provider> = new Set(['eftpay', 'lianke']);

/** Providers whose refund answer is already final (easypay realtime, yima); the others answer pending. */
export const ANSWERS_FINAL: ReadonlySet<Provider> = new Set(['easypay', 'yima']);

export interface ConfigOptions {
  /** Wrap the app key, secret code and private key in `Secret` (as the README recommends). */
  readonly wrap?: boolean;
}

/** Provider settings from the sandbox's test credentials. */
export function providerConfigs(sandbox: Sandbox, options: ConfigOptions = {}): RefundsOptions['providers'] {
  const c = sandbox.credentials;
  const secret = (value: string): string | Secret<string> => (options.wrap ? new Secret(value) : value);
  return {
    easypay: { baseUrl: sandbox.urls.easypay, mchtCode: c.easypay.mchtCode, privateKey: secret(c.easypay.merchantPrivateKeyPem), easypayPublicKey: c.easypay.easypayPublicKeyPem },
    eftpay: { baseUrl: sandbox.urls.eftpay, userConfirmKey: c.eftpay.userConfirmKey, secretCode: secret(c.eftpay.secretCode), currency: 'HKD' },
    lianke: { baseUrl: sandbox.urls.lianke, storeNo: c.lianke.storeNo, operator: c.lianke.operator },
    tipay: { baseUrl: sandbox.urls.tipay, appId: c.tipay.appId, appKey: secret(c.tipay.appKey), merchantNo: c.tipay.merchantNo },
    yima: { baseUrl: sandbox.urls.yima, isspid: c.yima.isspid, systemId: c.yima.systemId, posId: c.yima.posId, storeId: c.yima.storeId },
  };
}

/**
 * An id every provider accepts as an order or refund number: two letters of the provider, a
 * short upper-case kind, eight digits (13 to 32 characters for yima, at most 28 for eftpay).
 */
/** The merchant account a provider's sandbox configuration refunds for (the ledger's key). */
export function accountFor(sandbox: Sandbox, provider: Provider): string {
  const config = providerConfigs(sandbox)[provider];
  return (ADAPTERS[provider].accountOf as (config: unknown) => string)(config);
}

export function idFor(provider: Provider, kind: string, n: number): string {
  if (!/^[A-Z0-9]{1,12}$/.test(kind)) throw new Error(`idFor: kind ${kind} must be 1 to 12 of A-Z0-9`);
  return `${provider.slice(0, 2).toUpperCase()}${kind}${String(n).padStart(8, '0')}`;
}

/** A refund input for `provider` with its currency and options. */
export function refundInput(provider: Provider, orderId: string, refundId: string, amount: number, orderAmount?: number): RefundInput {
  return {
    provider,
    orderId,
    refundId,
    amount,
    currency: CURRENCY[provider],
    options: OPTIONS[provider],
    ...(orderAmount === undefined ? {} : { orderAmount }),
  } as RefundInput;
}

/** Resolves a refund to its final state by querying (bounded: a generous deadline, short interval). */
export function settle(refunds: Refunds, refund: Refund): Promise<Refund> {
  return FINAL_STATUSES.has(refund.status) ? Promise.resolve(refund) : refunds.waitFor(refund, { timeoutMs: 15_000, intervalMs: 50 });
}

/** Runs `work` and returns its value or the error it threw, so both can be asserted. */
export async function outcomeOf<T>(work: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  try {
    return { ok: true, value: await work() };
  } catch (error) {
    return { ok: false, error };
  }
}

/** `error` is one of refundkit's typed errors (asserted with a message naming what it really is). */
export function expectTyped(error: unknown): asserts error is RefundkitError {
  const what = error instanceof Error ? `${error.constructor.name}: ${error.message}\n${error.stack ?? ''}` : inspect(error);
  expect(error instanceof RefundkitError, `expected a RefundkitError, got ${what}`).toBe(true);
}

// ---------------------------------------------------------------------------------------------
// Secrets
// ---------------------------------------------------------------------------------------------

/** A secret that only this suite knows, passed wrapped in `Secret` (a wrong tipay AppKey: the provider refuses it). */
export const WRAPPED_SECRET_VALUE = 'rk-wrapped-appkey-5f1c9e27b04d';
/** A wrong eftpay secret code, passed in clear (a facade config, the CLI's environment): the provider's answer cannot be verified with it. */
export const WRONG_EFTPAY_SECRET = 'rk-wrong-eftpay-secret-83ad11';

/** The base64 lines of a PEM block: between its BEGIN and END lines (a label before BEGIN is not part of it). */
export function pemBodyLines(pem: string): string[] {
  const lines = pem.split(/\r?\n/).map((line) => line.trim());
  const begin = lines.findIndex((line) => line.startsWith('-----BEGIN '));
  const end = lines.findIndex((line, i) => i > begin && line.startsWith('-----END '));
  if (begin < 0 || end < 0) throw new Error('pemBodyLines: no PEM block');
  return lines.slice(begin + 1, end).filter((line) => line !== '');
}

/**
 * Every secret a reliability test handles: the sandbox's easypay merchant private key (the PEM
 * and each of its base64 lines), the tipay AppKey, the eftpay secret code, and this suite's own
 * wrapped and wrong secrets.
 */
export function collectSecrets(sandbox: Sandbox): string[] {
  const c = sandbox.credentials;
  return [
    c.easypay.merchantPrivateKeyPem.trim(),
    ...pemBodyLines(c.easypay.merchantPrivateKeyPem),
    c.tipay.appKey,
    c.eftpay.secretCode,
    WRAPPED_SECRET_VALUE,
    WRONG_EFTPAY_SECRET,
  ];
}

/** Shortest piece of a secret that counts as a leak (a key line reflowed, a secret cut in two). */
const WINDOW = 12;

/**
 * Finds any secret, or any 12-character piece of one (the PEM body is also checked as one
 * unbroken base64 string, so a key printed on a single line is caught too), in `texts`.
 */
export class SecretScanner {
  readonly #windows = new Map<string, string>();

  constructor(secrets: readonly string[]) {
    const add = (text: string, label: string): void => {
      for (let i = 0; i + WINDOW <= text.length; i++) this.#windows.set(text.slice(i, i + WINDOW), label);
    };
    for (const secret of secrets) {
      if (secret.length < WINDOW) throw new Error(`SecretScanner: a secret shorter than ${WINDOW} characters cannot be scanned for`);
      if (secret.includes('-----BEGIN')) add(pemBodyLines(secret).join(''), 'private key (base64 body)');
      else add(secret, `secret ${secret.slice(0, 4)}…`);
    }
  }

  /** The leaks found: which secret, in which text (by label), and a little context. */
  leaks(texts: ReadonlyArray<{ readonly label: string; readonly text: string }>): string[] {
    const found: string[] = [];
    for (const { label, text } of texts) {
      for (let i = 0; i + WINDOW <= text.length; i++) {
        const secret = this.#windows.get(text.slice(i, i + WINDOW));
        if (secret !== undefined) {
          found.push(`${secret} in ${label} at ${i}`);
          break;
        }
      }
    }
    return found;
  }
}

/**
 * What a suite saw, to be scanned for secrets at its end: every error (message and
 * `util.inspect`, cause chain included) and every refund the facade returned (`JSON.stringify`
 * and `util.inspect`).
 */
export class Seen {
  readonly texts: { label: string; text: string }[] = [];
  errors = 0;
  refunds = 0;
  /** Errors already recorded, by class and message: a property's thousand identical refusals are scanned once. */
  readonly #errorKeys = new Set<string>();

  error(error: unknown, where: string): void {
    this.errors++;
    const message = error instanceof Error ? error.message : String(error);
    const key = `${where}\u0000${error instanceof Error ? error.constructor.name : typeof error}\u0000${message}`;
    if (this.#errorKeys.has(key)) return;
    this.#errorKeys.add(key);
    this.texts.push({ label: `${where}: error message`, text: message });
    this.texts.push({ label: `${where}: inspect(error)`, text: inspect(error, { depth: 8, showHidden: true }) });
    this.texts.push({ label: `${where}: String(error)`, text: String(error) });
  }

  refund(refund: Refund, where: string): void {
    this.refunds++;
    this.texts.push({ label: `${where}: JSON.stringify(refund)`, text: JSON.stringify(refund) });
    this.texts.push({ label: `${where}: inspect(refund)`, text: inspect(refund, { depth: 8, showHidden: true }) });
  }

  /** Records whichever it was. */
  outcome(outcome: { ok: true; value: Refund } | { ok: false; error: unknown }, where: string): void {
    if (outcome.ok) this.refund(outcome.value, where);
    else this.error(outcome.error, where);
  }

  text(text: string, label: string): void {
    this.texts.push({ label, text });
  }
}
