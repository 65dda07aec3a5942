import { RefundkitError } from '@refundkit/runtime';

/**
 * The statuses {@link errorToHttp} and the notification handler answer with. A union of
 * literals rather than `number`, so it fits every framework's own status type as it is (Hono's
 * `c.json(body, status)` takes only the codes it lists); 499, nginx's "client closed request",
 * is left out for that reason (an aborted call is 503, a timed-out one 504).
 */
export type HttpErrorStatus = 400 | 404 | 405 | 409 | 413 | 422 | 500 | 502 | 503 | 504;

/** The JSON body of an error answer. */
export interface HttpErrorBody {
  readonly error: {
    /** The refundkit error's `code` (`over_refund`, `ledger_unavailable`, …), or `internal_error`. */
    readonly code: string;
    /** Safe to show the caller: an input error's own message, a fixed text for anything server-side. */
    readonly message: string;
    /**
     * Whether a request may have reached the provider. When true, the outcome is not known:
     * retry with the **same** refund id (or ask with `get`), never a new one.
     */
    readonly sent: boolean;
  };
}

/** An HTTP answer for an error: plain data, for any framework (`res.status(s).set(h).json(b)`). */
export interface HttpError {
  readonly status: HttpErrorStatus;
  /** A plain record of header names to values. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: HttpErrorBody;
}

interface Row {
  readonly status: HttpErrorStatus | ((error: RefundkitError) => HttpErrorStatus);
  /** Whether the request may have reached the provider. */
  readonly sent: boolean | ((error: RefundkitError) => boolean);
  /**
   * The message the caller sees. Absent: the error's own message, for errors about the
   * caller's input (it names the field and the rule; refundkit's messages carry no secret).
   * Present: a fixed text, for server-side causes the caller cannot act on beyond retrying
   * (the ledger's or a provider's failure, a configuration problem), whose own messages may
   * name hosts, files or settings.
   */
  readonly message?: string;
}

const CONFIGURATION = 'the refund service is misconfigured; nothing was sent';
const LEDGER = 'the refund ledger is unavailable; nothing was sent: retry the same call later';

/** A request that may have left: whatever `TransportError.mayHaveReachedProvider` says, else yes. */
const mayHaveLeft = (error: RefundkitError): boolean => (error as { mayHaveReachedProvider?: unknown }).mayHaveReachedProvider !== false;

/** A timeout (the call's `timeoutMs`) or the caller's abort: `AbortedError` keeps the signal's reason as its cause. */
const abortStatus = (error: RefundkitError): HttpErrorStatus => ((error.cause as { name?: unknown } | undefined)?.name === 'TimeoutError' ? 504 : 503);

/**
 * Every code refundkit throws on purpose, with its answer. A code not listed is answered 500
 * with a generic message and `sent: true` (nothing can be ruled out).
 */
const BY_CODE: Readonly<Record<string, Row>> = {
  // The caller's input: fix it and call again; nothing was sent.
  validation_failed: { status: 400, sent: false },
  amount_invalid: { status: 400, sent: false },
  canonical_json: { status: 400, sent: false },
  eftpay_payload: { status: 400, sent: false },
  tipay_request: { status: 400, sent: false },
  // A notification the handler refuses: its body, its signature, its shape (the sender's to fix).
  notification_body_invalid: { status: 400, sent: false },
  signature_invalid: { status: 400, sent: false },
  response_invalid: { status: 400, sent: false },
  answer_too_deep: { status: 400, sent: false },
  answer_duplicate_key: { status: 400, sent: false },
  answer_repeated_element: { status: 400, sent: false },
  answer_encoding: { status: 400, sent: false },
  answer_truncated: { status: 400, sent: false },
  // Refused by the ledger's rules before anything was sent.
  over_refund: { status: 422, sent: false },
  refund_id_conflict: { status: 409, sent: false },
  not_found: { status: 404, sent: false },
  // The server's own problem: no caller can fix it, so its details stay in the server's logs.
  config_invalid: { status: 500, sent: false, message: CONFIGURATION },
  key_format: { status: 500, sent: false, message: CONFIGURATION },
  missing_key: { status: 500, sent: false, message: CONFIGURATION },
  ledger_schema_mismatch: { status: 500, sent: false, message: CONFIGURATION },
  postgres_unavailable: { status: 500, sent: false, message: CONFIGURATION },
  sqlite_unavailable: { status: 500, sent: false, message: CONFIGURATION },
  // Try again later: 503 is what makes a provider (or a client) retry.
  ledger_unavailable: { status: 503, sent: false, message: LEDGER },
  outcome_unrecorded: {
    status: 503,
    sent: true,
    message: 'the provider was asked but its answer could not be recorded; the outcome is unknown: retry with the same refund id, never a new one',
  },
  aborted: { status: abortStatus, sent: false },
  // A provider's failure; the facade returns these as `unknown` refunds, so they reach here only from a direct client call.
  timeout: { status: 504, sent: mayHaveLeft, message: 'the provider did not answer in time; the outcome is unknown: retry with the same refund id' },
  connection_failed: { status: 502, sent: mayHaveLeft, message: 'the provider could not be reached; retry with the same refund id' },
  http_status: { status: 502, sent: true, message: 'the provider answered with an HTTP error; the outcome is unknown: retry with the same refund id' },
  answer_too_large: { status: 502, sent: true, message: 'the provider’s answer was too large; the outcome is unknown: retry with the same refund id' },
  answer_mismatch: { status: 502, sent: true, message: 'the provider answered about another refund; the outcome is unknown: retry with the same refund id' },
};

const JSON_HEADERS: Readonly<Record<string, string>> = Object.freeze({ 'content-type': 'application/json; charset=utf-8' });

/** An error answer built by hand (the notification handler's 404, 405, 413). */
export function httpError(status: HttpErrorStatus, code: string, message: string, sent = false): HttpError {
  return { status, headers: JSON_HEADERS, body: { error: { code, message, sent } } };
}

/**
 * What to answer over HTTP for an error refundkit threw: a status by its `code`, and a JSON body
 * `{ error: { code, message, sent } }`. For the merchant's own routes (a refund endpoint in
 * Express, Fastify, Hono) and the notification handler alike.
 *
 * | code | status |
 * |---|---|
 * | `validation_failed`, `amount_invalid`, `notification_body_invalid`, `signature_invalid`, `response_invalid` | 400 |
 * | `not_found` | 404 |
 * | `refund_id_conflict` | 409 |
 * | `over_refund` | 422 |
 * | `config_invalid`, `ledger_schema_mismatch`, key problems | 500, a fixed message |
 * | `ledger_unavailable` | 503 (`sent: false`) |
 * | `outcome_unrecorded` | 503 (`sent: true`) |
 * | `aborted` | 503, or 504 when the call's `timeoutMs` ran out |
 * | anything else, or not a refundkit error | 500 `internal_error`, a generic message, `sent: true` |
 *
 * Server-side causes get a fixed message: their own may name a host or a setting.
 *
 * @example
 * app.post('/refunds', async (req, res) => {
 *   try {
 *     res.json(await refunds.refund(req.body));
 *   } catch (error) {
 *     const answer = errorToHttp(error);
 *     res.status(answer.status).set(answer.headers).json(answer.body);
 *   }
 * });
 */
export function errorToHttp(error: unknown): HttpError {
  if (!(error instanceof RefundkitError)) {
    return httpError(500, 'internal_error', 'the request could not be completed; the outcome is unknown: retry with the same refund id', true);
  }
  const row = Object.hasOwn(BY_CODE, error.code) ? BY_CODE[error.code] : undefined;
  if (row === undefined) return httpError(500, error.code, 'the request could not be completed; the outcome is unknown: retry with the same refund id', true);
  const status = typeof row.status === 'function' ? row.status(error) : row.status;
  const sent = typeof row.sent === 'function' ? row.sent(error) : row.sent;
  return httpError(status, error.code, row.message ?? error.message, sent);
}
