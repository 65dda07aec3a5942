/**
 * Notification faults: what goes wrong with a result notification the sandbox sends (Ti-Pay
 * `notifyUrl`, EasyPay `backUrl`), so a merchant's endpoint can be proved against what providers
 * and forgers do: deliver twice, deliver late, deliver what does not verify, deliver a signed
 * message about another amount or another merchant.
 *
 * A fault is armed for the next `times` notifications of a provider (or of one refund number),
 * or for every one (`always`, what `refundkit sandbox --notification-fault` does), through
 * `POST /__sandbox/notification-faults` or `Sandbox.armNotificationFault`. It is taken when the
 * notification is scheduled, i.e. when the refund is accepted.
 *
 * - Delivery faults shape when and how often: `delay` holds the first try `ms` longer,
 *   `duplicate` delivers the acknowledged bytes `count` more times.
 * - Body faults shape one try each: the first try carries the first armed, the next try the
 *   next, and the retries after them are genuine — as a provider that retries sends its real
 *   notification after a forged one was refused. A receiver that acknowledges a faulted try
 *   stops the retries there.
 */
import { REGISTRY } from '@refundkit/registry';
import { MAX_FAULT_MS } from './faults.js';
import { PROVIDERS, type Provider } from './provider.js';

export const NOTIFICATION_FAULTS = {
  duplicate: {
    kind: 'delivery',
    summary: 'once acknowledged, the same bytes are delivered count more times (default 1), each answered like any other',
  },
  delay: {
    kind: 'delivery',
    summary: 'the first try is sent ms later than it would be (default 1000)',
  },
  'bad-signature': {
    kind: 'body',
    summary: 'a try whose signature does not verify: easypay reqSign over other bytes; tipay ti-appid/ti-timestamp/ti-signature headers whose digest is not the body’s',
  },
  'altered-amount': {
    kind: 'body',
    summary: 'a try as authentic as a genuine one (easypay: a valid reqSign; tipay: unsigned, as always) whose amount is 1 more minor unit than the refund’s',
  },
  'wrong-merchant': {
    kind: 'body',
    summary: 'a try as authentic as a genuine one that names another merchant (easypay mchtCode, tipay merchantNo)',
  },
} as const satisfies Record<string, { kind: 'delivery' | 'body'; summary: string }>;

export type NotificationFaultName = keyof typeof NOTIFICATION_FAULTS;

export const NOTIFICATION_FAULT_NAMES = Object.keys(NOTIFICATION_FAULTS) as NotificationFaultName[];

/** What one try of a notification carries: the genuine message, or one a body fault shaped. */
export type NotificationVariant = 'genuine' | Extract<NotificationFaultName, 'bad-signature' | 'altered-amount' | 'wrong-merchant'>;

/** Providers that send notifications: those whose contract has a notification message. */
export const NOTIFYING_PROVIDERS: readonly Provider[] = PROVIDERS.filter((p) => (REGISTRY[p].messages as readonly string[]).includes('refundNotification.request'));

/** The merchants the `wrong-merchant` fault names: well-formed, and none the sandbox knows. */
export const OTHER_MERCHANT = { easypay: '531000000000999', tipay: '10000000999' } as const;

/** Default extra wait of `delay`, and extra deliveries of `duplicate`. */
export const DEFAULT_NOTIFICATION_DELAY_MS = 1000;
export const DEFAULT_DUPLICATES = 1;

export interface ArmNotificationFaultInput {
  readonly fault: NotificationFaultName;
  /** Only this provider's notifications; every notifying provider's when left out. */
  readonly provider?: Provider | undefined;
  /** Only the notification of this refund number. */
  readonly refundNo?: string | undefined;
  /** How many notifications it strikes; default 1. */
  readonly times?: number | undefined;
  /** Every matching notification until cleared (`times` is then not given). */
  readonly always?: boolean | undefined;
  /** `delay` only: how much later, at most 600000 (10 minutes). */
  readonly ms?: number | undefined;
  /** `duplicate` only: how many extra deliveries, 1 to 10. */
  readonly count?: number | undefined;
}

export interface ArmedNotificationFault {
  readonly id: number;
  readonly fault: NotificationFaultName;
  readonly provider: Provider | 'any';
  readonly refundNo: string | undefined;
  /** Notifications it still strikes; `null`: every one until cleared. */
  readonly remaining: number | null;
  readonly ms: number | undefined;
  readonly count: number | undefined;
}

/** What the faults armed for one notification make of it. */
export interface NotificationFaultPlan {
  /** Added to the first try's wait. */
  readonly delayMs: number;
  /** The body of each try, first to last; tries beyond the list are genuine. */
  readonly variants: readonly NotificationVariant[];
  /** Deliveries of the acknowledged bytes after the acknowledgement. */
  readonly duplicates: number;
  /** The faults it was made of, in the order armed. */
  readonly faults: readonly NotificationFaultName[];
}

export const NO_NOTIFICATION_FAULT: NotificationFaultPlan = { delayMs: 0, variants: [], duplicates: 0, faults: [] };

/** A notification fault request the sandbox cannot honour. */
export class NotificationFaultError extends Error {
  override readonly name = 'NotificationFaultError';
}

export function isNotificationFaultName(value: unknown): value is NotificationFaultName {
  return typeof value === 'string' && Object.hasOwn(NOTIFICATION_FAULTS, value);
}

/**
 * Reads `name[;ms=<n>][;count=<n>]`, the form `refundkit sandbox --notification-fault` takes:
 * `duplicate`, `duplicate;count=3`, `delay;ms=2500`, `bad-signature`, …
 */
export function parseNotificationFault(text: string): Pick<ArmNotificationFaultInput, 'fault' | 'ms' | 'count'> {
  const [name = '', ...params] = text.split(';').map((s) => s.trim());
  if (!isNotificationFaultName(name)) throw new NotificationFaultError(`unknown notification fault ${JSON.stringify(name)}; known: ${NOTIFICATION_FAULT_NAMES.join(', ')}`);
  let ms: number | undefined;
  let count: number | undefined;
  for (const param of params) {
    const [key, raw = ''] = param.split('=').map((s) => s.trim());
    if (key === 'ms' && /^\d+$/.test(raw)) ms = Number(raw);
    else if (key === 'count' && /^\d+$/.test(raw)) count = Number(raw);
    else throw new NotificationFaultError(`${name}: cannot read parameter ${JSON.stringify(param)} (ms=<n> for delay, count=<n> for duplicate)`);
  }
  return { fault: name, ...(ms === undefined ? {} : { ms }), ...(count === undefined ? {} : { count }) };
}

/** The notification faults armed for coming notifications, matched in the order they were armed. */
export class NotificationFaultBoard {
  #nextId = 1;
  #armed: ArmedNotificationFault[] = [];

  arm(input: ArmNotificationFaultInput): ArmedNotificationFault {
    const { fault, provider, refundNo, times, always, ms, count } = input;
    if (!isNotificationFaultName(fault)) throw new NotificationFaultError(`fault must be one of ${NOTIFICATION_FAULT_NAMES.join(', ')}, not ${JSON.stringify(fault)}`);
    if (provider !== undefined && !NOTIFYING_PROVIDERS.includes(provider)) {
      throw new NotificationFaultError(`${String(provider)} sends no notifications; notifying providers: ${NOTIFYING_PROVIDERS.join(', ')}`);
    }
    if (refundNo !== undefined && (typeof refundNo !== 'string' || refundNo === '')) throw new NotificationFaultError('refundNo must be a non-empty string when given');
    if (always !== undefined && typeof always !== 'boolean') throw new NotificationFaultError('always must be true or false');
    if (always === true && times !== undefined) throw new NotificationFaultError('give either times or always, not both');
    if (times !== undefined && (!Number.isSafeInteger(times) || times < 1)) throw new NotificationFaultError(`times must be a positive integer, not ${String(times)}`);
    if (ms !== undefined) {
      if (fault !== 'delay') throw new NotificationFaultError(`ms applies to delay only, not ${fault}`);
      if (!Number.isSafeInteger(ms) || ms < 0 || ms > MAX_FAULT_MS) throw new NotificationFaultError(`ms must be an integer from 0 to ${MAX_FAULT_MS} (10 minutes), not ${String(ms)}`);
    }
    if (count !== undefined) {
      if (fault !== 'duplicate') throw new NotificationFaultError(`count applies to duplicate only, not ${fault}`);
      if (!Number.isSafeInteger(count) || count < 1 || count > 10) throw new NotificationFaultError(`count must be an integer from 1 to 10, not ${String(count)}`);
    }
    const armed: ArmedNotificationFault = {
      id: this.#nextId++,
      fault,
      provider: provider ?? 'any',
      refundNo,
      remaining: always === true ? null : (times ?? 1),
      ms: fault === 'delay' ? (ms ?? DEFAULT_NOTIFICATION_DELAY_MS) : undefined,
      count: fault === 'duplicate' ? (count ?? DEFAULT_DUPLICATES) : undefined,
    };
    this.#armed.push(armed);
    return armed;
  }

  /**
   * The plan for one notification being scheduled: of each fault name, the first armed fault that
   * matches it, each used up by one.
   */
  take(provider: Provider, refundNo: string): NotificationFaultPlan {
    const taken: ArmedNotificationFault[] = [];
    for (const armed of this.#armed) {
      const matches = (armed.provider === 'any' || armed.provider === provider) && (armed.refundNo === undefined || armed.refundNo === refundNo);
      if (matches && !taken.some((t) => t.fault === armed.fault)) taken.push(armed);
    }
    if (taken.length === 0) return NO_NOTIFICATION_FAULT;
    this.#armed = this.#armed.flatMap((armed) => {
      if (!taken.includes(armed) || armed.remaining === null) return [armed];
      return armed.remaining <= 1 ? [] : [{ ...armed, remaining: armed.remaining - 1 }];
    });
    return {
      delayMs: taken.reduce((sum, t) => sum + (t.fault === 'delay' ? (t.ms ?? 0) : 0), 0),
      variants: taken.map((t) => t.fault).filter((f): f is Exclude<NotificationVariant, 'genuine'> => NOTIFICATION_FAULTS[f].kind === 'body'),
      duplicates: taken.reduce((sum, t) => sum + (t.fault === 'duplicate' ? (t.count ?? 0) : 0), 0),
      faults: taken.map((t) => t.fault),
    };
  }

  list(): ArmedNotificationFault[] {
    return [...this.#armed];
  }

  clear(): number {
    const count = this.#armed.length;
    this.#armed = [];
    return count;
  }
}
