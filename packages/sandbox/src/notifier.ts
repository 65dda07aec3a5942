/**
 * Result notifications: the provider POSTs a refund's final state to the URL the refund request
 * named (Ti-Pay `notifyUrl`, EasyPay `backUrl`; PROVIDERS.md) and delivers it again until the
 * merchant acknowledges it (EasyPay `{"code":"000000","msg":"Success"}`, Ti-Pay `SUCCESS`).
 *
 * The sandbox
 * - sends only to loopback URLs (`http://127.0.0.1…`, `localhost`, `[::1]`): a refund request
 *   naming any other host is still served, its notification is logged as not sent;
 * - tries at most `maxAttempts` times, waiting `backoffMs`, then twice that, and so on, between
 *   tries; each try gives up after `timeoutMs`;
 * - after the acknowledgement, delivers the same notification `duplicates` more times (a
 *   receiver must be idempotent; providers do deliver twice);
 * - builds the body at each try, so it carries the refund's state at that time;
 * - applies the notification faults armed for it (`notification-faults.ts`): a later first try,
 *   tries whose body a fault shaped, the acknowledged bytes delivered again;
 * - cancels every timer and aborts every request in flight on `close()`.
 */
import { request as httpRequest, type ClientRequest } from 'node:http';
import { MAX_FAULT_MS } from './faults.js';
import { NO_NOTIFICATION_FAULT, type NotificationFaultBoard, type NotificationFaultName, type NotificationFaultPlan, type NotificationVariant } from './notification-faults.js';
import type { Provider } from './provider.js';

export interface NotifierOptions {
  /** Tries before giving up, counting the first; default 5. */
  readonly maxAttempts?: number | undefined;
  /** Wait before the second try, doubled for each further one; default 200 ms. */
  readonly backoffMs?: number | undefined;
  /** How long one try waits for the acknowledgement; default 2000 ms. */
  readonly timeoutMs?: number | undefined;
  /** Extra deliveries after the acknowledgement; default 0. */
  readonly duplicates?: number | undefined;
}

/** One notification to deliver. */
export interface NotificationJob {
  readonly provider: Provider;
  readonly refundNo: string;
  readonly url: string;
  /** The body and its headers, built at each try: the genuine notification, or one a body fault shapes. */
  readonly build: (variant: NotificationVariant) => Payload;
  /** Whether the receiver's answer acknowledges the notification. */
  readonly isAck: (status: number, body: string) => boolean;
}

/** One try, as `Sandbox.notifications()` lists it. */
export interface DeliveryRecord {
  readonly provider: Provider;
  readonly refundNo: string;
  readonly url: string;
  /** 1-based; duplicates continue the count. */
  readonly attempt: number;
  /** This try was an extra delivery after the acknowledgement. */
  readonly duplicate: boolean;
  readonly at: number;
  /** The receiver's HTTP status, when it answered. */
  readonly status?: number | undefined;
  /** Why nothing was delivered or understood: a network error, a timeout, a non-loopback URL. */
  readonly error?: string | undefined;
  readonly acked: boolean;
  /** The body sent (UTF-8 text), for tests that check what was delivered. */
  readonly body?: string | undefined;
  /** The notification fault that shaped this try (`bad-signature`, …; `duplicate` for a redelivery of the acknowledged bytes, `delay` for a delayed first try). */
  readonly fault?: NotificationFaultName | undefined;
}

type Payload = { readonly body: Buffer; readonly headers: Readonly<Record<string, string>> };

/** One notification on its way: its faults, and what was last sent (a `duplicate` resends it). */
interface Delivery {
  readonly job: NotificationJob;
  readonly plan: NotificationFaultPlan;
  lastPayload?: Payload;
  /** Redeliveries done after the acknowledgement: the plan's (same bytes) first, then the option's (rebuilt). */
  duplicatesSent: number;
}

export class Notifier {
  readonly #maxAttempts: number;
  readonly #backoffMs: number;
  readonly #timeoutMs: number;
  readonly #duplicates: number;
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #inFlight = new Set<ClientRequest>();
  readonly #log: DeliveryRecord[] = [];
  readonly #faults: NotificationFaultBoard | undefined;
  /** The latest job of each refund, so the console can deliver it again. */
  readonly #jobs = new Map<string, NotificationJob>();
  #active = 0;
  #idleWaiters: (() => void)[] = [];
  #closed = false;

  constructor(options: NotifierOptions = {}, faults?: NotificationFaultBoard) {
    this.#faults = faults;
    this.#maxAttempts = positive(options.maxAttempts ?? 5, 'maxAttempts');
    this.#backoffMs = atMost(nonNegative(options.backoffMs ?? 200, 'backoffMs'), 'backoffMs');
    this.#timeoutMs = atMost(positive(options.timeoutMs ?? 2000, 'timeoutMs'), 'timeoutMs');
    this.#duplicates = nonNegative(options.duplicates ?? 0, 'duplicates');
  }

  /** Starts delivering `job` after `delayMs`. */
  schedule(job: NotificationJob, delayMs: number): void {
    if (this.#closed) return;
    if (!isLoopbackUrl(job.url)) {
      this.#log.push({
        provider: job.provider, refundNo: job.refundNo, url: job.url, attempt: 0, duplicate: false,
        at: Date.now(), acked: false, error: 'not a loopback http URL: the sandbox does not send there',
      });
      return;
    }
    this.#jobs.set(`${job.provider}\u0000${job.refundNo}`, job);
    const plan = this.#faults?.take(job.provider, job.refundNo) ?? NO_NOTIFICATION_FAULT;
    this.#active++;
    this.#after(Math.min(Math.max(0, delayMs) + plan.delayMs, MAX_FAULT_MS), () => this.#attempt({ job, plan, duplicatesSent: 0 }, 1, false));
  }

  /**
   * Delivers a refund's notification again, genuine and freshly built (as a provider that
   * repeats a notification does): `copies` deliveries (2: a duplicate), the first after
   * `delayMs`, each retried like any other. False when the refund has had no notification.
   */
  redeliver(provider: Provider, refundNo: string, options: { readonly delayMs?: number | undefined; readonly copies?: number | undefined } = {}): boolean {
    const job = this.#jobs.get(`${provider}\u0000${refundNo}`);
    if (job === undefined || this.#closed) return false;
    const copies = options.copies ?? 1;
    const delayMs = options.delayMs ?? 0;
    if (!Number.isSafeInteger(copies) || copies < 1 || copies > 10) throw new TypeError(`copies must be a whole number from 1 to 10, not ${String(copies)}`);
    if (!Number.isSafeInteger(delayMs) || delayMs < 0 || delayMs > MAX_FAULT_MS) throw new TypeError(`delayMs must be a whole number from 0 to ${MAX_FAULT_MS}, not ${String(delayMs)}`);
    for (let copy = 0; copy < copies; copy++) {
      this.#active++;
      this.#after(delayMs + copy * this.#backoffMs, () => this.#attempt({ job, plan: NO_NOTIFICATION_FAULT, duplicatesSent: 0 }, 1, false));
    }
    return true;
  }

  deliveries(): DeliveryRecord[] {
    return [...this.#log];
  }

  /** Resolves when no notification is waiting for a try or a retry. */
  idle(): Promise<void> {
    if (this.#active === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  close(): void {
    this.#closed = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    for (const req of this.#inFlight) req.destroy();
    this.#inFlight.clear();
    this.#active = 0;
    this.#wakeIdle();
  }

  #attempt(delivery: Delivery, attempt: number, duplicate: boolean): void {
    if (this.#closed) return;
    const { job, plan } = delivery;
    // A redelivery after the acknowledgement: the plan's duplicates resend the acknowledged bytes, the option's rebuild them.
    const resend = duplicate && delivery.duplicatesSent <= plan.duplicates && delivery.lastPayload !== undefined;
    const variant: NotificationVariant = duplicate ? 'genuine' : (plan.variants[attempt - 1] ?? 'genuine');
    const fault: NotificationFaultName | undefined = resend ? 'duplicate' : variant !== 'genuine' ? variant : attempt === 1 && plan.delayMs > 0 ? 'delay' : undefined;
    let payload: Payload;
    try {
      payload = resend ? delivery.lastPayload! : job.build(variant);
    } catch (error) {
      this.#log.push({
        provider: job.provider, refundNo: job.refundNo, url: job.url, attempt, duplicate,
        at: Date.now(), acked: false, error: `could not build the notification: ${String(error)}`, ...(fault ? { fault } : {}),
      });
      this.#finish();
      return;
    }
    this.#post(job.url, payload, (status, text, error) => {
      const acked = error === undefined && status !== undefined && job.isAck(status, text);
      this.#log.push({
        provider: job.provider, refundNo: job.refundNo, url: job.url, attempt, duplicate,
        at: Date.now(), status, error, acked, body: payload.body.toString('utf8'), ...(fault ? { fault } : {}),
      });
      if (this.#closed) return;
      if (acked || duplicate) {
        if (!duplicate) delivery.lastPayload = payload;
        if (delivery.duplicatesSent < plan.duplicates + this.#duplicates) {
          delivery.duplicatesSent++;
          this.#after(this.#backoffMs, () => this.#attempt(delivery, attempt + 1, true));
        } else {
          this.#finish();
        }
        return;
      }
      if (attempt >= this.#maxAttempts) {
        this.#finish();
        return;
      }
      // Doubling is capped: past 2^31-1 ms a Node timer would fire at once.
      this.#after(Math.min(this.#backoffMs * 2 ** (attempt - 1), MAX_FAULT_MS), () => this.#attempt(delivery, attempt + 1, false));
    });
  }

  #post(
    url: string,
    payload: Payload,
    done: (status: number | undefined, text: string, error: string | undefined) => void,
  ): void {
    let settled = false;
    const finish = (status: number | undefined, text: string, error: string | undefined): void => {
      if (settled) return;
      settled = true;
      this.#inFlight.delete(req);
      done(status, text, error);
    };
    // agent: false, so no kept-alive socket outlives the delivery.
    const req = httpRequest(url, {
      method: 'POST',
      agent: false,
      headers: { ...payload.headers, 'content-length': String(payload.body.length) },
      timeout: this.#timeoutMs,
    });
    this.#inFlight.add(req);
    req.on('timeout', () => {
      req.destroy();
      finish(undefined, '', `no answer within ${this.#timeoutMs} ms`);
    });
    req.on('error', (error) => finish(undefined, '', error.message));
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => finish(res.statusCode, Buffer.concat(chunks).toString('utf8'), undefined));
      res.on('error', (error) => finish(undefined, '', error.message));
    });
    req.end(payload.body);
  }

  #after(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      fn();
    }, ms);
    this.#timers.add(timer);
  }

  #finish(): void {
    this.#active = Math.max(0, this.#active - 1);
    if (this.#active === 0) this.#wakeIdle();
  }

  #wakeIdle(): void {
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const wake of waiters) wake();
  }
}

/** `http:` to 127.0.0.0/8, `localhost` or `[::1]`: the only places the sandbox notifies. */
export function isLoopbackUrl(text: string): boolean {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:') return false;
  const host = url.hostname;
  return host === 'localhost' || host === '[::1]' || /^127(?:\.\d{1,3}){3}$/.test(host);
}

function positive(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new TypeError(`notifications.${name} must be a positive integer`);
  return value;
}

function nonNegative(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 0) throw new TypeError(`notifications.${name} must be a non-negative integer`);
  return value;
}

/** Durations are bounded like the faults' (10 minutes). */
function atMost(value: number, name: string): number {
  if (value > MAX_FAULT_MS) throw new TypeError(`notifications.${name} must be at most ${MAX_FAULT_MS} (10 minutes), not ${value}`);
  return value;
}
