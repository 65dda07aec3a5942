import type { Clock, FetchLike, ValidationIssue } from '@refundkit/runtime';
import { RefundkitError, ValidationError } from '@refundkit/runtime';
import { ConfigError } from '../errors.js';
import type { FailureInput } from '../failure.js';
import type { ProviderKey, Refund, RefundStatus } from '../model.js';

/** One line of goods being refunded (lianke `itemlist`, yima `goods_detail`). Prices in minor units. */
export interface RefundItem {
  readonly id: string;
  readonly name: string;
  readonly quantity: number;
  readonly price: number;
}

/** What the caller asks for; see `Refunds.refund`. */
export interface RefundRequest<Options = unknown> {
  readonly orderId: string;
  readonly refundId: string;
  /** Integer minor units (fen, cents), > 0. */
  readonly amount: number;
  readonly currency: string;
  /** The order's total in minor units, when known: caps the refunds on the order. */
  readonly orderAmount?: number | undefined;
  readonly reason?: string | undefined;
  readonly items?: readonly RefundItem[] | undefined;
  readonly notifyUrl?: string | undefined;
  readonly options?: Options | undefined;
}

/** A provider's answer, mapped to the unified model. */
export interface ProviderAnswer {
  readonly status: RefundStatus;
  readonly providerRefundId?: string | undefined;
  /** `source` is derived from the code when the mapping leaves it out (see `FAILURE_CODES`). */
  readonly failure?: FailureInput | undefined;
  /** The answer as received (raw text). */
  readonly raw: string;
  /** The order's total when the answer carries it (eftpay `original_amount`, lianke `total_amount`). */
  readonly orderAmount?: number | undefined;
  /**
   * False when the provider refused the request (its "not accepted" answer) or the request
   * surely never left: nothing the provider could remember as a refund. Such a `failed` is
   * final only for a refund number the provider never knew (see `Reservation.providerMayKnow`).
   */
  readonly providerMayKnow?: boolean | undefined;
}

/** One identifier an answer echoes, beside what was sent. Amounts in minor units. */
export interface EchoedField {
  readonly field: string;
  readonly sent: string | number;
  /** What the answer says; `undefined` when the answer does not carry the field. */
  readonly received: string | number | undefined;
  /** The answer must carry this field for a success (eftpay `refund_no`). */
  readonly requiredForSuccess?: boolean;
}

/**
 * The answer is about another refund: an identifier it echoes (refund number, order, merchant,
 * amount, currency) differs from what was sent. The refund's outcome is unknown: a query decides.
 */
export class AnswerMismatchError extends RefundkitError {
  constructor(
    readonly provider: ProviderKey,
    readonly mismatches: readonly { readonly field: string; readonly sent: string | number; readonly received: string | number | undefined }[],
    readonly rawBody: string,
  ) {
    super(
      'answer_mismatch',
      `${provider} answered about another refund: ${mismatches.map((m) => `${m.field} ${m.received === undefined ? 'missing' : JSON.stringify(m.received)} (sent ${JSON.stringify(m.sent)})`).join(', ')}; the outcome is unknown until a query decides`,
    );
  }
}

/**
 * The echo rule: every identifier the answer carries must be what was sent, and a success must
 * carry those marked `requiredForSuccess`. Throws {@link AnswerMismatchError} (→ `unknown`).
 */
export function checkEcho(provider: ProviderKey, status: RefundStatus, fields: readonly EchoedField[], rawBody: string): void {
  const mismatches = fields.filter((f) => (f.received === undefined ? f.requiredForSuccess === true && status === 'succeeded' : f.received !== f.sent));
  if (mismatches.length > 0) throw new AnswerMismatchError(provider, mismatches.map(({ field, sent, received }) => ({ field, sent, received })), rawBody);
}

/** An echoed amount string in minor units; a string that is no amount echoes as itself (a mismatch). */
export function echoedAmount(text: string | undefined, toMinor: (text: string) => number): number | string | undefined {
  if (text === undefined || text === '') return undefined;
  try {
    return toMinor(text);
  } catch {
    return text;
  }
}

/**
 * The string at `path` in a JSON body, read without trusting it (no schema, no signature): a
 * notification refused by verification is still kept in the history of the refund it names.
 */
export function peekJson(rawBody: string, path: readonly string[]): string | undefined {
  let value: unknown;
  try {
    value = JSON.parse(rawBody);
  } catch {
    return undefined;
  }
  for (const key of path) value = value !== null && typeof value === 'object' && Object.hasOwn(value, key) ? (value as Record<string, unknown>)[key] : undefined;
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** A notification, verified and mapped. */
export interface NotificationOutcome {
  readonly refundId: string;
  readonly answer: ProviderAnswer;
  /** False when the provider signs no notifications: the facade confirms by a query first. */
  readonly verified: boolean;
  /**
   * What the notification says of the refund beside its number, for the echo rule: each is
   * compared with the ledger's refund (`orderId`, `amount`) or this account (`merchant`).
   */
  readonly echo: readonly NotificationEcho[];
}

/** One identifier a notification carries, and which of the refund's facts it must equal. */
export interface NotificationEcho {
  readonly field: string;
  readonly of: 'merchant' | 'orderId' | 'amount';
  /** What the notification says; `undefined` when it does not carry the field. */
  readonly received: string | number | undefined;
}

/** The acknowledgement body a provider expects back from a notification. */
export interface NotificationAck {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

/**
 * The send of a checked refund request. `meta`, when set, is what a later query of this refund
 * needs and the request does not keep (see `Refund.meta`); the facade stores it on reserve.
 */
export type PreparedRefund = (() => Promise<ProviderAnswer>) & { readonly meta?: Readonly<Record<string, string>> | undefined };

/**
 * How long a prepared request stays fresh. Its timestamps (easypay `transTime`, eftpay `time`,
 * Ti-Pay `ti-timestamp`) are taken when it is prepared; the facade normally sends it within
 * milliseconds, after the reservation. When it waited longer (for another sender's lease), it
 * is prepared again at send time, so no provider sees an old timestamp.
 */
export const PREPARED_FRESH_MS = 5_000;

/**
 * The send of a request the client prepared once (validated, signed, encoded): `prepare` runs
 * now, so bad input throws here, before anything is reserved; the send uses that request, or
 * prepares afresh when it is older than {@link PREPARED_FRESH_MS}.
 */
export function sendPrepared<P extends { readonly preparedAt: number }>(
  prepare: () => P,
  send: (prepared: P) => Promise<ProviderAnswer>,
): () => Promise<ProviderAnswer> {
  const prepared = prepare();
  return async () => send(Date.now() - prepared.preparedAt > PREPARED_FRESH_MS ? prepare() : prepared);
}

/** Transport options shared by every client the facade creates. */
export interface SharedClientOptions {
  /** The facade's clock (`RefundsOptions.clock`), for clients that date what they send. */
  readonly clock?: Clock | undefined;
  readonly fetch?: FetchLike | undefined;
  readonly timeoutMs?: number | undefined;
  /** The largest answer accepted, in bytes after decompression (see `RefundsOptions.maxAnswerBytes`). */
  readonly maxAnswerBytes?: number | undefined;
}

/**
 * Everything the facade knows of one provider once its generated package is loaded (see
 * `ADAPTERS` for what it knows before): how to build its client, turn a unified request
 * into the provider's (checking the provider's rules before anything is sent), and map its
 * answers' statuses through an exhaustive table.
 */
export interface ProviderAdapter<Config, Options, Client> {
  readonly key: ProviderKey;
  createClient(config: Config, shared: SharedClientOptions): Client;
  /**
   * Checks the request against the provider's rules and contract, and returns the send. A
   * `ValidationError` here names the facade's own fields (`refundId`, `amount`, `options.payType`).
   */
  prepareRefund(client: Client, config: Config, request: RefundRequest<Options>, clock: Clock): PreparedRefund;
  /** Asks the provider about a refund; `clock` dates what the query carries. */
  query(client: Client, config: Config, refund: Refund, clock: Clock): Promise<ProviderAnswer>;
  /** Absent for providers that document no notification. */
  readonly notifications?: {
    /** Verifies and maps a notification; throws a `RefundkitError` (`SignatureError`, `ResponseError`) when it cannot be believed. */
    verify(client: Client, config: Config, rawBody: string | Uint8Array, headers: Record<string, string | string[] | undefined> | Headers): NotificationOutcome;
    /** The refund number a notification names, read without believing it: to keep a refused one in that refund's history. */
    peek(rawBody: string): string | undefined;
    /**
     * The merchant a notification names (easypay `mchtCode`, tipay `merchantNo`), read without
     * believing it: which account's keys to verify it with. The echo rule then checks it.
     */
    peekMerchant(rawBody: string): string | undefined;
    /** The acknowledgement the provider documents: the notification was stored. */
    readonly ack: NotificationAck;
    /** The answer that makes the provider deliver again: the notification was not believed or not stored. */
    readonly reject: NotificationAck;
  };
}

/**
 * Re-throws a contract `ValidationError` about the provider's wire fields as one about the
 * facade's fields (`refund_no` → `refundId`), so callers see the names they wrote.
 */
export function renameIssues<T>(fieldOfWirePath: Readonly<Record<string, string>>, check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    const issues: ValidationIssue[] = error.issues.map((issue) => {
      const field = fieldOfWirePath[issue.path];
      return field ? { ...issue, path: field, message: `${field} (${issue.path} on the wire): ${issue.message.replace(`${issue.path} `, '')}` } : issue;
    });
    throw new ValidationError('refund', issues);
  }
}

/** A local refusal of one input field. */
export function invalid(path: string, rule: string, message: string): ValidationError {
  return new ValidationError('refund', [{ path, rule, message: `${path} ${message}` }]);
}

/**
 * Creates a provider's client; a configuration its signing scheme cannot use (a bad key, a missing
 * secret: an error of `configProblem`, signing's `SigningError`, which never quotes key material)
 * becomes a `ConfigError` naming the provider. The class is passed in by the adapter, which loads
 * `@refundkit/signing` anyway, so this eager module does not.
 */
export function clientFor<T>(provider: ProviderKey, create: () => T, configProblem: abstract new (...args: never[]) => Error): T {
  try {
    return create();
  } catch (error) {
    if (error instanceof configProblem) throw new ConfigError(provider, error.message, error);
    throw error;
  }
}
