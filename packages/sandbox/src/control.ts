/**
 * The control endpoint, `/__sandbox/…` on the sandbox's own origin: what a test or a script in
 * another process (say, against `refundkit sandbox`) uses instead of the in-process API. Typed
 * SDK clients send no custom headers, so arming a fault here is how their requests get one.
 *
 * | method and path | body / query | answer |
 * |---|---|---|
 * | `POST /__sandbox/faults` | `{provider, fault, refundNo?, operation?, times?, ms?, commit?}` | 201 `{armed}` |
 * | `GET /__sandbox/faults` | | `{faults, available}` (every fault name with its summary) |
 * | `DELETE /__sandbox/faults` | | `{cleared}` |
 * | `POST /__sandbox/orders` | `{provider, orderId, amount, status?, date?, paymentType?, currency?}` | 201 `{order}` |
 * | `GET /__sandbox/orders?provider=` | | `{orders}` |
 * | `GET /__sandbox/refunds?provider=[&orderId=]` | | `{refunds, refundedTotal?}` |
 * | `GET /__sandbox/requests[?provider=&refundNo=]` | | `{requests}` (and `received`, the refund requests naming `refundNo`) |
 * | `GET /__sandbox/commits` | | `{commits}`: the `slow-commit` refunds not committed yet |
 * | `POST /__sandbox/commits` | `{provider?, refundNo?}` | `{released}`: those commit now |
 * | `GET /__sandbox/notifications` | | `{notifications}` |
 * | `POST /__sandbox/refunds/settle` | `{provider, refundNo, outcome: succeeded\|failed}` | `{refund}`: a pending refund decided now |
 * | `POST /__sandbox/notifications/redeliver` | `{provider, refundNo, copies?, delayMs?}` | `{redelivered}` (404 when the refund had no notification) |
 * | `POST /__sandbox/notification-faults` | `{fault, provider?, refundNo?, times?, always?, ms?, count?}` | 201 `{armed}` |
 * | `GET /__sandbox/notification-faults` | | `{faults, available}` |
 * | `DELETE /__sandbox/notification-faults` | | `{cleared}` |
 *
 * Misuse (unknown provider or fault, bad JSON, duplicate order) is a 400 `{sandboxError}`.
 * Only this machine may use it (`control-guard.ts`): a `Host` or `Origin` that is not a loopback
 * name is a 403, a POST that is not `application/json` a 415.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { refuseControlRequest } from './control-guard.js';
import { FAULTS, FAULT_NAMES, FaultError, type ArmFaultInput, type ArmedFault } from './faults.js';
import { sendJson } from './http.js';
import { NOTIFICATION_FAULTS, NOTIFICATION_FAULT_NAMES, NotificationFaultError, type ArmNotificationFaultInput, type ArmedNotificationFault } from './notification-faults.js';
import type { DeliveryRecord } from './notifier.js';
import { PROVIDERS, isProvider, type Provider } from './provider.js';
import type { RequestRecord } from './request-log.js';
import { OrderConflictError, type Order, type OrderInput, type RefundView } from './store.js';

/** What the control endpoint needs from the sandbox. */
export interface ControlApi {
  armFault(input: ArmFaultInput): ArmedFault;
  armedFaults(): ArmedFault[];
  clearFaults(): number;
  addOrder(provider: Provider, order: OrderInput): Order;
  orders(provider: Provider): Order[];
  refunds(provider: Provider, orderId?: string): RefundView[];
  refundedTotal(provider: Provider, orderId: string): number;
  settleRefund(provider: Provider, refundNo: string, outcome: 'succeeded' | 'failed'): RefundView;
  redeliverNotification(provider: Provider, refundNo: string, options?: { readonly delayMs?: number | undefined; readonly copies?: number | undefined }): boolean;
  requests(): RequestRecord[];
  requestsReceived(provider: Provider, refundNo: string): number;
  pendingCommits(): { readonly provider: Provider; readonly refundNo: string }[];
  releaseCommits(filter?: { readonly provider?: Provider | undefined; readonly refundNo?: string | undefined }): number;
  notifications(): DeliveryRecord[];
  armNotificationFault(input: ArmNotificationFaultInput): ArmedNotificationFault;
  armedNotificationFaults(): ArmedNotificationFault[];
  clearNotificationFaults(): number;
}

/**
 * The control endpoint's handler. `allowedHosts` is read per request (the port is known only
 * once the server listens): the `Host` values a control request may carry.
 */
export function createControlHandler(api: ControlApi, allowedHosts: () => readonly string[]) {
  return function control(req: IncomingMessage, res: ServerResponse, url: URL, body: Buffer): void {
    const refusal = refuseControlRequest(req, allowedHosts());
    if (refusal !== undefined) return sendJson(res, refusal.status, { sandboxError: refusal.reason });
    const path = url.pathname.replace(/\/+$/, '');
    const method = req.method ?? 'GET';
    try {
      if (path === '/__sandbox/faults') {
        if (method === 'POST') return sendJson(res, 201, { armed: api.armFault(readFault(body)) });
        if (method === 'GET') return sendJson(res, 200, { faults: api.armedFaults(), available: FAULT_NAMES.map((name) => ({ name, summary: FAULTS[name].summary })) });
        if (method === 'DELETE') return sendJson(res, 200, { cleared: api.clearFaults() });
      } else if (path === '/__sandbox/orders') {
        if (method === 'POST') {
          const { provider, ...order } = readObject(body);
          // Unchecked JSON: addOrder checks orderId and amount (a TypeError, answered 400).
          return sendJson(res, 201, { order: api.addOrder(readProvider(provider), order as unknown as OrderInput) });
        }
        if (method === 'GET') return sendJson(res, 200, { orders: api.orders(readProvider(url.searchParams.get('provider'))) });
      } else if (path === '/__sandbox/refunds') {
        if (method === 'GET') {
          const provider = readProvider(url.searchParams.get('provider'));
          const orderId = url.searchParams.get('orderId') ?? undefined;
          return sendJson(res, 200, {
            refunds: api.refunds(provider, orderId),
            ...(orderId === undefined ? {} : { refundedTotal: api.refundedTotal(provider, orderId) }),
          });
        }
      } else if (path === '/__sandbox/refunds/settle') {
        if (method === 'POST') {
          const input = readObject(body);
          return sendJson(res, 200, { refund: api.settleRefund(readProvider(input['provider']), readRefundNo(input['refundNo']), input['outcome'] as 'succeeded') });
        }
      } else if (path === '/__sandbox/notifications/redeliver') {
        if (method === 'POST') {
          const input = readObject(body);
          const options = { copies: optionalNumber(input['copies'], 'copies'), delayMs: optionalNumber(input['delayMs'], 'delayMs') };
          const redelivered = api.redeliverNotification(readProvider(input['provider']), readRefundNo(input['refundNo']), options);
          return sendJson(res, redelivered ? 200 : 404, redelivered ? { redelivered } : { sandboxError: 'that refund has had no notification to deliver again' });
        }
      } else if (path === '/__sandbox/requests') {
        if (method === 'GET') {
          const refundNo = url.searchParams.get('refundNo');
          if (refundNo === null) return sendJson(res, 200, { requests: api.requests() });
          const provider = readProvider(url.searchParams.get('provider'));
          return sendJson(res, 200, {
            requests: api.requests().filter((r) => r.provider === provider && r.refundNo === refundNo),
            received: api.requestsReceived(provider, refundNo),
          });
        }
      } else if (path === '/__sandbox/commits') {
        if (method === 'GET') return sendJson(res, 200, { commits: api.pendingCommits() });
        if (method === 'POST') return sendJson(res, 200, { released: api.releaseCommits(readCommitFilter(body)) });
      } else if (path === '/__sandbox/notifications') {
        if (method === 'GET') return sendJson(res, 200, { notifications: api.notifications() });
      } else if (path === '/__sandbox/notification-faults') {
        if (method === 'POST') return sendJson(res, 201, { armed: api.armNotificationFault(readNotificationFault(body)) });
        if (method === 'GET') return sendJson(res, 200, { faults: api.armedNotificationFaults(), available: NOTIFICATION_FAULT_NAMES.map((name) => ({ name, summary: NOTIFICATION_FAULTS[name].summary })) });
        if (method === 'DELETE') return sendJson(res, 200, { cleared: api.clearNotificationFaults() });
      } else {
        return sendJson(res, 404, {
          sandboxError: `no control endpoint at ${url.pathname}`,
          endpoints: ['/__sandbox/faults', '/__sandbox/orders', '/__sandbox/refunds', '/__sandbox/refunds/settle', '/__sandbox/notifications/redeliver', '/__sandbox/requests', '/__sandbox/commits', '/__sandbox/notifications', '/__sandbox/notification-faults'],
        });
      }
      sendJson(res, 405, { sandboxError: `${method} is not served at ${path}` });
    } catch (error) {
      if (error instanceof ControlError || error instanceof FaultError || error instanceof NotificationFaultError || error instanceof OrderConflictError || error instanceof TypeError) {
        sendJson(res, 400, { sandboxError: error.message });
        return;
      }
      throw error;
    }
  };
}

class ControlError extends Error {
  override readonly name = 'ControlError';
}

function readObject(body: Buffer): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    throw new ControlError('the body must be a JSON object');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ControlError('the body must be a JSON object');
  return value as Record<string, unknown>;
}

function readRefundNo(value: unknown): string {
  if (typeof value !== 'string' || value === '') throw new ControlError('refundNo must be a non-empty string');
  return value;
}

function optionalNumber(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number') throw new ControlError(`${name} must be a number when given`);
  return value;
}

function readProvider(value: unknown): Provider {
  if (!isProvider(value)) throw new ControlError(`provider must be one of ${PROVIDERS.join(', ')}, not ${JSON.stringify(value)}`);
  return value;
}

function readFault(body: Buffer): ArmFaultInput {
  const input = readObject(body);
  const known = new Set(['provider', 'fault', 'refundNo', 'operation', 'times', 'ms', 'commit']);
  const unknown = Object.keys(input).filter((k) => !known.has(k));
  if (unknown.length > 0) throw new ControlError(`unknown field(s) ${unknown.join(', ')}; a fault is {provider, fault, refundNo?, operation?, times?, ms?, commit?}`);
  if (typeof input['fault'] !== 'string') throw new ControlError(`fault must be one of ${FAULT_NAMES.join(', ')}`);
  if (input['commit'] !== undefined && typeof input['commit'] !== 'boolean') throw new ControlError('commit must be true or false');
  // Unchecked JSON past the fields above: arming checks the rest (fault name, operation, times, ms; a FaultError, answered 400).
  return { ...input, provider: readProvider(input['provider']) } as unknown as ArmFaultInput;
}

function readNotificationFault(body: Buffer): ArmNotificationFaultInput {
  const input = readObject(body);
  const known = new Set(['fault', 'provider', 'refundNo', 'times', 'always', 'ms', 'count']);
  const unknown = Object.keys(input).filter((k) => !known.has(k));
  if (unknown.length > 0) throw new ControlError(`unknown field(s) ${unknown.join(', ')}; a notification fault is {fault, provider?, refundNo?, times?, always?, ms?, count?}`);
  if (typeof input['fault'] !== 'string') throw new ControlError(`fault must be one of ${NOTIFICATION_FAULT_NAMES.join(', ')}`);
  // Unchecked JSON past the fault's name: arming checks the rest (a NotificationFaultError, answered 400).
  return { ...input, ...(input['provider'] === undefined ? {} : { provider: readProvider(input['provider']) }) } as unknown as ArmNotificationFaultInput;
}

function readCommitFilter(body: Buffer): { provider?: Provider; refundNo?: string } {
  const input = body.length === 0 ? {} : readObject(body);
  const unknown = Object.keys(input).filter((k) => k !== 'provider' && k !== 'refundNo');
  if (unknown.length > 0) throw new ControlError(`unknown field(s) ${unknown.join(', ')}; a release is {provider?, refundNo?}`);
  const refundNo = input['refundNo'];
  if (refundNo !== undefined && (typeof refundNo !== 'string' || refundNo === '')) throw new ControlError('refundNo must be a non-empty string when given');
  return {
    ...(input['provider'] === undefined ? {} : { provider: readProvider(input['provider']) }),
    ...(refundNo === undefined ? {} : { refundNo }),
  };
}
