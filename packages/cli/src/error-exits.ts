// The CLI's one table of errors: for every error code a `refundkit` user can meet, whether a
// request may have reached the provider, the exit code, and what to do next. The README's
// "Errors and exit codes" prints the same table; packages/cli/test/error-exits.test.ts keeps the
// two in step and checks that every code the packages define is here.
import { EXIT } from './io.js';
import { printable } from './terminal-text.js';

/** What an error means to the person who ran the command. */
export interface ErrorExit {
  /**
   * True when a refund request may have reached the provider before the error (the refund may
   * exist there): the exit is then 3, "unknown". False: nothing was sent, exit 1.
   */
  readonly sent: boolean;
  readonly exit: typeof EXIT.input | typeof EXIT.unknown;
  /** What to do next, in one sentence. */
  readonly next: string;
}

const local = (next: string): ErrorExit => ({ sent: false, exit: EXIT.input, next });
const maybeSent = (next: string): ErrorExit => ({ sent: true, exit: EXIT.unknown, next });

/** After a request that may have reached the provider: the one safe way on. */
const ASK_SAME_ID = 'ask with refundkit status, or retry with the same --refund-id; never a new one';

/**
 * Every error code a CLI user can meet, thrown (printed as `refundkit: <message>`). A refund the
 * command prints instead exits by its status (0 succeeded, 4 pending, 2 failed, 3 unknown), its
 * `failure.code` explained in the refunds README. Codes that only a request that left can
 * produce (a timeout, an answer that cannot be read) are recorded by the facade as an `unknown`
 * refund, not thrown; should one ever be thrown, it says "sent", because it may have been.
 */
export const ERROR_EXITS: Readonly<Record<string, ErrorExit>> = {
  // The command line and the configuration.
  usage: local('fix the command line (see refundkit COMMAND --help)'),
  config_invalid: local('fix the setting the message names, then run the same command again'),
  amount_invalid: local('give the amount as an exact decimal in major units, e.g. 12.34'),
  validation_failed: local('fix the field the message names, then retry with the same --refund-id'),
  key_format: local('fix the key file the message names (PEM: PKCS#8 or PKCS#1 private keys, SPKI public keys or X.509 certificates)'),
  missing_key: local('add the key the message names to the provider configuration'),
  canonical_json: local('remove the value the message names from the request'),
  eftpay_payload: local('fix the eftpay field the message names'),
  tipay_request: local('fix the tipay request as the message says'),
  not_found: local('check --provider, --order and --refund-id, and that the config has the provider'),
  account_unknown: local('check the merchant account the refund names against the provider configuration'),
  notification_body_invalid: local('pass the notification body exactly as it was received'),
  batch_invalid: local('fix the rows the message names (line and rule), then run the same file again'),
  // Refused by the ledger's rules.
  over_refund: local('refund at most what is left of the order'),
  refund_id_conflict: local('a new refund needs a new --refund-id; to retry this one, give its amount, order and currency again'),
  aborted: local('run the same command again with the same --refund-id'),
  query_unavailable: local('the refund lacks what its provider needs to query it: retry the refund with the same --refund-id'),
  // The ledger, before anything was sent.
  ledger_unavailable: local('run the same command again, with the same --refund-id, once the ledger is reachable'),
  ledger_refused: local('fix the database, role, password, grants or file the message names, then run the same command again'),
  ledger_connection_string: local('percent-encode # / ? @ % in the password of the ledger URL (# as %23, / as %2F, ? as %3F, @ as %40, % as %25)'),
  ledger_schema_mismatch: local('run the command the message names (refundkit ledger migrate, or an upgrade)'),
  sqlite_unavailable: local('npm install better-sqlite3@^12; if it is installed but does not load, the rebuild the message names (npm_config_nodedir=<prefix of this Node> npm rebuild better-sqlite3)'),
  postgres_unavailable: local('npm install pg@^8.11'),
  // A request was sent, or may have been.
  outcome_unrecorded: maybeSent('run the same command again with the same --refund-id, or refundkit status; never a new refund id'),
  timeout: maybeSent(ASK_SAME_ID),
  connection_failed: maybeSent(ASK_SAME_ID),
  http_status: maybeSent(ASK_SAME_ID),
  answer_too_large: maybeSent(ASK_SAME_ID),
  response_invalid: maybeSent(ASK_SAME_ID),
  answer_too_deep: maybeSent(ASK_SAME_ID),
  answer_duplicate_key: maybeSent(ASK_SAME_ID),
  answer_repeated_element: maybeSent(ASK_SAME_ID),
  answer_encoding: maybeSent(ASK_SAME_ID),
  answer_truncated: maybeSent(ASK_SAME_ID),
  signature_invalid: maybeSent(ASK_SAME_ID),
  answer_mismatch: maybeSent(ASK_SAME_ID),
  internal_error: maybeSent(`a refundkit bug (please report it): ${ASK_SAME_ID}`),
};

/** The commands that send refunds; every other one sends none, whatever goes wrong. */
const SENDING_COMMANDS = new Set(['refund', 'batch', 'worker']);

/** The refund an `outcome_unrecorded` error is about (the facade's `OutcomeNotRecordedError` carries these). */
interface UnrecordedRefund {
  readonly provider?: unknown;
  readonly refundId?: unknown;
  readonly orderId?: unknown;
}

/**
 * What `refundkit <command>` prints on stderr for `error` and the code it exits with, from
 * {@link ERROR_EXITS} by `error.code`. An error without a code in the table is a bug: in
 * `refund` the request may have left (exit 3, `internal_error`); the other commands send no
 * refund, so exit 1.
 */
export function errorReport(error: unknown, command: string | undefined): { exit: number; text: string } {
  const code = typeof (error as { code?: unknown } | null)?.code === 'string' ? (error as { code: string }).code : undefined;
  const known = code !== undefined && Object.hasOwn(ERROR_EXITS, code);
  let entry = known ? ERROR_EXITS[code]! : ERROR_EXITS['internal_error']!;
  if (!known && !SENDING_COMMANDS.has(command ?? '')) entry = { sent: false, exit: EXIT.input, next: 'a refundkit bug: please report it' };
  const message = error instanceof Error ? (known ? error.message : `${error.name}: ${error.message}`) : String(error);
  const lines = [`refundkit: ${printable(message)}`];
  if (code === 'outcome_unrecorded') {
    const refund = error as UnrecordedRefund;
    const [provider, refundId, orderId] = [refund.provider, refund.refundId, refund.orderId].map((v) => (typeof v === 'string' ? printable(v) : '?'));
    lines.push(
      `refundkit: the request was sent: ${provider} may have refunded ${refundId} on order ${orderId}, and the ledger holds the refund as unknown.`,
      `refundkit: resolve it with the same command and the same --refund-id ${refundId} (never a new one), or: refundkit status --provider ${provider} --order ${orderId} --refund-id ${refundId} (with the same --config and --ledger)`,
    );
  } else if (entry.sent) {
    lines.push(`refundkit: the request may have reached the provider: the refund's outcome is unknown; ${entry.next}`);
  } else {
    lines.push(`refundkit: nothing was sent; ${entry.next}`);
  }
  return { exit: entry.exit, text: `${lines.join('\n')}\n` };
}
