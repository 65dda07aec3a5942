import { createRefunds, LEASE_MARGIN_MS, type Refund, type RefundEvent, type Refunds } from '@refundkit/refunds';
import { parseDuration } from './amounts.js';
import { loadConfig } from './config.js';
import { ledgerLocation, openLedger } from './ledger.js';
import { EXIT, UsageError, type Io } from './io.js';
import { isProviderKey, type ProviderKey } from '@refundkit/registry';
import { PROVIDER_KEYS } from './providers.js';
import { jsonLine, printable } from './terminal-text.js';

export interface FacadeArgs {
  readonly provider?: string | undefined;
  /** `--account`: the account's name, for a provider block with `accounts`. */
  readonly account?: string | undefined;
  readonly config?: string | undefined;
  readonly baseUrl?: string | undefined;
  readonly ledger?: string | undefined;
  /** `--timeout`: the deadline of each provider exchange (default 30s). */
  readonly timeout?: string | undefined;
}

/**
 * The facade for one command: the provider's config (file, then `--base-url`), and the ledger
 * (a SQLite file or a `postgres://` URL) from `--ledger`, `REFUNDKIT_LEDGER`, the config's
 * `ledger`, or `./.refundkit/ledger.db`, in that order. Which one is used is said on stderr
 * (a URL without its password).
 */
export async function openFacade(args: FacadeArgs, io: Io): Promise<{ refunds: Refunds; provider: ProviderKey; providerConfig: Record<string, unknown> }> {
  const env = io.env ?? process.env;
  const cwd = io.cwd ?? process.cwd();
  const provider = args.provider;
  if (!isProviderKey(provider)) throw new UsageError(`--provider must be one of ${PROVIDER_KEYS.join(', ')}`);
  const timeoutMs = args.timeout === undefined ? undefined : parseDuration('--timeout', args.timeout);
  if (timeoutMs === 0) throw new UsageError('--timeout must be more than 0');
  const configFile = args.config ?? env['REFUNDKIT_CONFIG'] ?? 'refundkit.config.json';
  const config = loadConfig(configFile, env, cwd, provider);
  const block = withBaseUrl({ ...(config.providers[provider] ?? {}) }, args.baseUrl);
  if (Object.keys(block).length === 0) throw new UsageError(`${configFile} has no configuration for ${provider}`);
  const providerConfig = accountSettings(block, args.account);
  // A file path or a postgres:// URL; a relative --ledger or REFUNDKIT_LEDGER is relative to the command's working directory.
  // Named in an error about the ledger's URL, so the user knows which setting to fix.
  const ledgerSource = args.ledger !== undefined ? '--ledger' : env['REFUNDKIT_LEDGER'] !== undefined ? 'REFUNDKIT_LEDGER' : `"ledger" in ${configFile}`;
  const ledger = await openLedger(ledgerLocation(args.ledger ?? env['REFUNDKIT_LEDGER'] ?? config.ledger, cwd, ledgerSource), io);
  // `never`: one provider's settings, unchecked JSON from the file, which no static type describes;
  // createRefunds checks them at run time (one ConfigError naming each problem).
  // A command line can wait for another sender of the same refund to the end of its lease (a
  // request handler's default is shorter: see inFlightWaitMs).
  const inFlightWaitMs = 2 * (timeoutMs ?? 30_000) + LEASE_MARGIN_MS;
  const refunds = createRefunds({ providers: { [provider]: block } as never, ledger, inFlightWaitMs, ...(timeoutMs === undefined ? {} : { timeoutMs }) });
  return { refunds, provider, providerConfig };
}

/** `--base-url` over the block's `baseUrl`, or over every account's for a block with `accounts`. */
function withBaseUrl(block: Record<string, unknown>, baseUrl: string | undefined): Record<string, unknown> {
  if (!baseUrl) return block;
  const accounts = block['accounts'];
  if (accounts === null || typeof accounts !== 'object' || Array.isArray(accounts)) return { ...block, baseUrl };
  return { ...block, accounts: Object.fromEntries(Object.entries(accounts).map(([name, settings]) => [name, { ...(settings as object), baseUrl }])) };
}

/**
 * The settings of the account a command uses (for its defaults, such as eftpay's currency): the
 * block itself, or the `--account` (else the default, else the only) account of a block with
 * `accounts`; empty when none is named. createRefunds checks the block and the account itself.
 */
export function accountSettings(block: Record<string, unknown>, account: string | undefined): Record<string, unknown> {
  const accounts = block['accounts'];
  if (accounts === null || typeof accounts !== 'object' || Array.isArray(accounts)) return block;
  const names = Object.keys(accounts);
  const chosen = account ?? (typeof block['default'] === 'string' ? block['default'] : names.length === 1 ? names[0] : undefined);
  const settings = chosen !== undefined && Object.hasOwn(accounts, chosen) ? (accounts as Record<string, unknown>)[chosen] : undefined;
  return settings !== null && typeof settings === 'object' ? (settings as Record<string, unknown>) : {};
}

/** The exit code a refund's status gives (README, "Exit codes"). */
export function exitCodeOf(refund: Refund): number {
  return { succeeded: EXIT.ok, pending: EXIT.pending, failed: EXIT.failed, unknown: EXIT.unknown }[refund.status];
}

/**
 * A refund for people: one line per field, amounts in minor units and major units. Ids and the
 * failure come from the user or the provider: each is printed through `printable`, so none can
 * draw a line of its own.
 */
export function describeRefund(refund: Refund, history?: readonly RefundEvent[]): string {
  const t = printable;
  const lines = [
    `${t(refund.provider)} refund ${t(refund.refundId)} on order ${t(refund.orderId)}: ${t(refund.status)}`,
    `  amount: ${refund.amount} (minor units) ${t(refund.currency)}`,
    ...(refund.providerRefundId ? [`  provider refund id: ${t(refund.providerRefundId)}`] : []),
    ...(refund.failure ? [`  failure: ${t(refund.failure.code)}: ${t(refund.failure.message)}`] : []),
    `  updated: ${t(refund.updatedAt)}`,
    ...(history && history.length > 0 ? ['  history:', ...history.map((e) => `    ${describeEvent(e)}`)] : []),
  ];
  return `${lines.join('\n')}\n`;
}

/** One history entry on one line, e.g. `2026-12-02T04:10:00.000Z answer to refund (attempt 1): failed -> failed, 40101: bad sign`. */
function describeEvent(event: RefundEvent): string {
  const t = printable;
  const attempt = event.attempt !== undefined ? ` (attempt ${event.attempt})` : '';
  switch (event.kind) {
    case 'answer':
      return `${t(event.at)} answer to ${t(event.source ?? '?')}${attempt}${event.verdict ? ` [${event.verdict}]` : ''}: ${t(event.status ?? '?')} -> ${t(event.statusAfter ?? '?')}${event.failure ? `, ${t(event.failure.code)}: ${t(event.failure.message)}` : ''}`;
    case 'anomaly':
      return `${t(event.at)} anomaly: ${t(event.note ?? '')}`;
    default:
      return `${t(event.at)} ${event.kind}${attempt}`;
  }
}

/**
 * The unified refund as `--json` prints it: everything but the raw provider answers, with its
 * history when given (`status`).
 */
export function refundJson(refund: Refund, history?: readonly RefundEvent[]): string {
  const { raw: _raw, ...shown } = refund;
  return jsonLine(history ? { ...shown, history: history.map(({ raw: _answer, ...event }) => event) } : shown);
}
