/**
 * `startSandbox()`: the five providers on one local port, with their test credentials, seeded
 * orders, fault injection and an inspection API. See the package README for the whole story.
 *
 * ```ts
 * const sandbox = await startSandbox();            // 127.0.0.1, an ephemeral port
 * sandbox.urls.tipay;                               // http://127.0.0.1:49152 (append /api/v1/yb/trade/refund)
 * sandbox.credentials.tipay.appKey;                 // the test AppKey
 * sandbox.armFault({ provider: 'tipay', fault: 'timeout-after-commit' });
 * // … drive a client …
 * sandbox.refundedTotal('tipay', 'TP-PAID-0001');  // minor units
 * await sandbox.close();
 * ```
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { REGISTRY } from '@refundkit/registry';
import type { Clock } from './clock.js';
import { createControlHandler } from './control.js';
import { allowedControlHosts, isLoopbackHost } from './control-guard.js';
import { sandboxCredentials, type CredentialOverrides, type KeySource, type SandboxCredentials } from './credentials.js';
import { FaultBoard, MAX_FAULT_MS, type ArmFaultInput, type ArmedFault } from './faults.js';
import { IdSource } from './ids.js';
import { NotificationFaultBoard, type ArmNotificationFaultInput, type ArmedNotificationFault } from './notification-faults.js';
import { Notifier, type DeliveryRecord, type NotifierOptions } from './notifier.js';
import { PROVIDERS, isProvider, type Operation, type Provider } from './provider.js';
import type { AdapterContext } from './providers/adapter.js';
import { SANDBOX_HANDLERS } from './providers/handlers.js';
import { endpointPath } from './routes.js';
import { RequestLog, type RequestRecord } from './request-log.js';
import { DEFAULT_SEED, type SeedOrders } from './seed.js';
import { createSandboxServer } from './server.js';
import { Ledger, refundPhase, type Order, type OrderInput, type RefundRecord, type RefundView } from './store.js';

export interface SandboxOptions {
  /** 0 (the default) picks a free port. */
  readonly port?: number | undefined;
  /**
   * Default `127.0.0.1`. The sandbox is meant for loopback only: any other address (`0.0.0.0`, a
   * LAN address) lets other machines refund against it, so it is warned about through `onWarning`;
   * the control endpoint still answers only requests addressed to a loopback name.
   */
  readonly host?: string | undefined;
  /** Where warnings go (binding beyond loopback); default `process.emitWarning`. */
  readonly onWarning?: ((message: string) => void) | undefined;
  /**
   * How long an asynchronous refund stays pending (tipay PROCESSING, eftpay APPLY_SUCCESS,
   * lianke CREATE, easypay 9 in `async` mode) before a query shows its final state, and when its
   * notification is sent. Default 0: the refund's own answer is pending, the next query final.
   * At most 10 minutes (600 000).
   */
  readonly delayMs?: number | undefined;
  /** The orders to start with: the built-in seed (default, `true`), none (`false`), or these. */
  readonly seed?: boolean | SeedOrders | undefined;
  /** easypay speedRefund is real time: `realtime` (default) answers transState 0 at once; `async` answers 9 first. */
  readonly easypayMode?: 'realtime' | 'async' | undefined;
  /** Notification retries: attempts (5), backoff (200 ms, doubling), per-try timeout (2000 ms), duplicates (0). */
  readonly notifications?: NotifierOptions | undefined;
  /**
   * Notification faults armed from the start, as `armNotificationFault` takes them (e.g.
   * `{ fault: 'duplicate', always: true }` for every notification); see "Notification faults" in the README.
   */
  readonly notificationFaults?: readonly ArmNotificationFaultInput[] | undefined;
  /** The fixed test keys shipped in `keys/` (default) or fresh RSA-2048 pairs. */
  readonly keys?: KeySource | undefined;
  /**
   * Other test credentials, per provider, merged over the built-in ones: a second sandbox as a
   * second merchant (`{ tipay: { merchantNo, appKey } }`), or a key roll in progress
   * (`{ tipay: { appKey: newKey, acceptedAppKeys: [oldKey] } }`).
   */
  readonly credentials?: CredentialOverrides | undefined;
  /** Epoch milliseconds; default `Date.now`. Refund states are computed from it. */
  readonly clock?: Clock | undefined;
  /**
   * Other handlers served on the sandbox's port, by path prefix: `refundkit sandbox` mounts the
   * console at `/console`. Not guarded by the control endpoint's rules: each guards itself.
   */
  readonly mounts?: Readonly<Record<string, (req: IncomingMessage, res: ServerResponse) => void>> | undefined;
}

/**
 * Where each provider lives: the base URL its client is configured with, or, for a provider whose
 * document names no path (yima), the full URL of its endpoint, configured as is.
 */
export type SandboxUrls = Readonly<Record<Provider, string>>;

export interface Sandbox {
  /** `http://127.0.0.1:<port>`. */
  readonly baseUrl: string;
  readonly port: number;
  readonly urls: SandboxUrls;
  /** The full URL of each provider's refund and query endpoints. */
  readonly endpoints: Readonly<Record<Provider, Readonly<Record<Operation, string>>>>;
  /** `POST {controlUrl}/faults` and friends (see README). */
  readonly controlUrl: string;
  /** Test credentials, for clients and for signing by hand. */
  readonly credentials: SandboxCredentials;

  addOrder(provider: Provider, order: OrderInput): Order;
  order(provider: Provider, orderId: string): Order | undefined;
  orders(provider: Provider): Order[];
  /** Refunds of a provider (of one order), with their phase now. */
  refunds(provider: Provider, orderId?: string): RefundView[];
  refund(provider: Provider, refundNo: string): RefundView | undefined;
  /** Decides a pending refund now: the next query (and notification retries) see `outcome`. */
  settleRefund(provider: Provider, refundNo: string, outcome: 'succeeded' | 'failed'): RefundView;
  /** Delivers a refund's notification again (`copies` 2: a duplicate; `delayMs`: later); false when it had none. */
  redeliverNotification(provider: Provider, refundNo: string, options?: { readonly delayMs?: number | undefined; readonly copies?: number | undefined }): boolean;
  /** Minor units refunded or in progress on an order (failed refunds excluded). */
  refundedTotal(provider: Provider, orderId: string): number;
  /** Refund requests that named this refund number and passed signature and schema checks. */
  requestsReceived(provider: Provider, refundNo: string): number;
  /** Every provider request, in order, with its outcome. */
  requests(): RequestRecord[];
  /** The refunds a `slow-commit` fault holds: arrived, not committed yet. */
  pendingCommits(): { readonly provider: Provider; readonly refundNo: string }[];
  /** Commits (and answers) held `slow-commit` refunds now, of one provider or refund number; returns how many. */
  releaseCommits(filter?: { readonly provider?: Provider | undefined; readonly refundNo?: string | undefined }): number;

  armFault(input: ArmFaultInput): ArmedFault;
  armedFaults(): ArmedFault[];
  /** Disarms every fault; returns how many were armed. */
  clearFaults(): number;

  /** Arms a notification fault (duplicate, delay, bad-signature, altered-amount, wrong-merchant) for coming notifications. */
  armNotificationFault(input: ArmNotificationFaultInput): ArmedNotificationFault;
  armedNotificationFaults(): ArmedNotificationFault[];
  /** Disarms every notification fault; returns how many were armed. */
  clearNotificationFaults(): number;

  /** Every notification delivery attempt. */
  notifications(): DeliveryRecord[];
  /** Resolves when no notification is waiting to be (re)delivered. */
  notificationsIdle(): Promise<void>;
  /** Errors while serving (an answer that broke its own schema, a bug): empty in a healthy run. */
  errors(): string[];

  /** Stops everything: held connections, slow answers, notification timers, the listener. */
  close(): Promise<void>;
}

/** The path of each provider's refund and query endpoints: its spec's (see `routes.ts`). */
export const ENDPOINT_PATHS: Readonly<Record<Provider, Readonly<Record<Operation, string>>>> = Object.fromEntries(
  PROVIDERS.map((p) => [p, { refund: endpointPath(p, 'refund'), queryRefund: endpointPath(p, 'queryRefund') }]),
) as Record<Provider, Record<Operation, string>>;

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 0;
  const delayMs = options.delayMs ?? 0;
  if (!Number.isSafeInteger(delayMs) || delayMs < 0 || delayMs > MAX_FAULT_MS) {
    throw new TypeError(`delayMs must be an integer from 0 to ${MAX_FAULT_MS} (10 minutes), not ${String(delayMs)}`);
  }
  const easypayMode = options.easypayMode ?? 'realtime';
  if (easypayMode !== 'realtime' && easypayMode !== 'async') throw new TypeError("easypayMode must be 'realtime' or 'async'");
  const clock = options.clock ?? Date.now;

  const { credentials, server: serverKeys } = sandboxCredentials(options.keys ?? 'fixed', options.credentials);
  const ledger = new Ledger();
  const seed: SeedOrders = options.seed === false ? {} : options.seed === true || options.seed === undefined ? DEFAULT_SEED : options.seed;
  for (const [provider, orders] of Object.entries(seed)) {
    if (!isProvider(provider)) throw new TypeError(`seed: unknown provider ${provider}`);
    for (const order of orders ?? []) ledger.addOrder(provider, order);
  }
  const notificationFaults = new NotificationFaultBoard();
  for (const fault of options.notificationFaults ?? []) notificationFaults.arm(fault);
  const notifier = new Notifier(options.notifications, notificationFaults);
  const faults = new FaultBoard();
  const log = new RequestLog();
  const errors: string[] = [];

  const ctx: AdapterContext = { ledger, credentials, serverKeys, notifier, clock, ids: new IdSource(), delayMs, easypayMode };
  const view = (refund: RefundRecord): RefundView => ({ ...refund, phase: refundPhase(refund, clock()) });

  const api = {
    addOrder: (provider: Provider, order: OrderInput) => ledger.addOrder(requireProvider(provider), order),
    order: (provider: Provider, orderId: string) => ledger.order(requireProvider(provider), orderId),
    orders: (provider: Provider) => ledger.orders(requireProvider(provider)),
    refunds: (provider: Provider, orderId?: string) => ledger.refunds(requireProvider(provider), orderId).map(view),
    refund: (provider: Provider, refundNo: string) => {
      const refund = ledger.refund(requireProvider(provider), refundNo);
      return refund === undefined ? undefined : view(refund);
    },
    settleRefund: (provider: Provider, refundNo: string, outcome: 'succeeded' | 'failed') => {
      if (outcome !== 'succeeded' && outcome !== 'failed') throw new TypeError(`outcome must be succeeded or failed, not ${JSON.stringify(outcome)}`);
      return view(ledger.settle(requireProvider(provider), refundNo, outcome, clock()));
    },
    redeliverNotification: (provider: Provider, refundNo: string, options?: { readonly delayMs?: number | undefined; readonly copies?: number | undefined }) =>
      notifier.redeliver(requireProvider(provider), refundNo, options),
    refundedTotal: (provider: Provider, orderId: string) => ledger.refundedTotal(requireProvider(provider), orderId, clock()),
    requestsReceived: (provider: Provider, refundNo: string) => ledger.requestsReceived(requireProvider(provider), refundNo),
    requests: () => log.list(),
    pendingCommits: () => ledger.committing(),
    releaseCommits: (filter?: { readonly provider?: Provider | undefined; readonly refundNo?: string | undefined }) => server.releaseCommits(filter),
    armFault: (input: ArmFaultInput) => faults.arm({ ...input, provider: requireProvider(input.provider) }),
    armedFaults: () => faults.list(),
    clearFaults: () => {
      const count = faults.list().length;
      faults.clear();
      return count;
    },
    notifications: () => notifier.deliveries(),
    armNotificationFault: (input: ArmNotificationFaultInput) => notificationFaults.arm(input),
    armedNotificationFaults: () => notificationFaults.list(),
    clearNotificationFaults: () => notificationFaults.clear(),
  };

  const server = createSandboxServer({
    adapters: PROVIDERS.map((p) => SANDBOX_HANDLERS[p](ctx)),
    faults,
    ledger,
    log,
    control: createControlHandler(api, () => controlHosts),
    onError: (error) => errors.push(error instanceof Error ? `${error.name}: ${error.message}` : String(error)),
    mounts: options.mounts,
  });
  let controlHosts: readonly string[] = [];
  const boundPort = await server.listen(port, host);
  controlHosts = allowedControlHosts(host, boundPort);
  if (!isLoopbackHost(host)) {
    (options.onWarning ?? ((message: string) => process.emitWarning(message, { code: 'REFUNDKIT_SANDBOX_NOT_LOOPBACK' })))(
      `the sandbox listens on ${host}:${boundPort}, beyond loopback: other machines that reach this address can send it refunds. ` +
        `Its control endpoint (/__sandbox) still answers only requests addressed to ${controlHosts.join(', ')}.`,
    );
  }
  const baseUrl = `http://${urlHost(host)}:${boundPort}`;
  const endpoints = Object.fromEntries(
    PROVIDERS.map((p) => [p, { refund: baseUrl + ENDPOINT_PATHS[p].refund, queryRefund: baseUrl + ENDPOINT_PATHS[p].queryRefund }]),
  ) as Record<Provider, Record<Operation, string>>;

  let closed: Promise<void> | undefined;
  return {
    baseUrl,
    port: boundPort,
    urls: Object.fromEntries(PROVIDERS.map((p) => [p, REGISTRY[p].operations.refund.path === null ? endpoints[p].refund : baseUrl])) as SandboxUrls,
    endpoints,
    controlUrl: `${baseUrl}/__sandbox`,
    credentials,
    ...api,
    notificationsIdle: () => notifier.idle(),
    errors: () => [...errors],
    close: () => {
      closed ??= (async () => {
        notifier.close();
        await server.close();
      })();
      return closed;
    },
  };
}

/** The host part of the sandbox's URLs: a wildcard bind is reached on loopback, where the control endpoint answers. */
function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::' || host === '[::]') return '[::1]';
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

function requireProvider(provider: unknown): Provider {
  if (!isProvider(provider)) throw new TypeError(`unknown provider ${JSON.stringify(provider)}; one of ${PROVIDERS.join(', ')}`);
  return provider;
}
