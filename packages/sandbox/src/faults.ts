/**
 * Fault injection: what goes wrong with one request, and whether the refund is committed
 * before it goes wrong. Faults prove that a client never refunds twice and never reports a
 * success it did not see (issue 5, "Fault injection").
 *
 * A fault is chosen per request, either
 * - by the request header `x-sandbox-fault: <name>[;commit=yes|no][;ms=<n>]`, or
 * - armed beforehand with `POST /__sandbox/faults` (or `Sandbox.armFault`) for the next
 *   `times` matching requests of a provider, optionally of one refund number and operation.
 *   This is the way for clients that send no custom header (the typed SDK clients).
 *
 * A fault applies only to a request that is authenticated and well-formed (its refund number is
 * known); a rejected request is answered with its error and consumes no armed fault. The header
 * wins over an armed fault.
 */
import type { Operation, Provider } from './provider.js';

/** What the server does instead of (or after) answering normally. */
export type FaultAction =
  | 'hold'          // never answer: the socket stays open until the client gives up or the sandbox closes
  | 'reset'         // destroy the socket with a TCP reset, no answer
  | 'http-500'      // answer 500 with an HTML error page
  | 'http-502'      // answer 502 with an HTML error page (a gateway that lost the answer)
  | 'malformed-body' // answer 200 with the first half of the real body (broken JSON / XML)
  | 'bad-signature' // answer the real body with a corrupted signature
  | 'slow'          // answer the real body after `ms` milliseconds
  | 'slow-commit'   // commit the refund only after `ms` milliseconds (or when released), then answer
  | 'none';         // answer normally (fail-refund)

interface FaultDefinition {
  readonly action: FaultAction;
  /** Whether the refund is recorded before the fault strikes. */
  readonly commit: boolean;
  /** Whether `commit=` may override the default (not for names that say it). */
  readonly commitOverridable: boolean;
  /** The refund is accepted, then ends failed (TRADE_FAIL, REFUNDFAILED, FAILED, X, yima 0813). */
  readonly failRefund: boolean;
  readonly summary: string;
}

export const FAULTS = {
  'timeout-before-commit': {
    action: 'hold', commit: false, commitOverridable: false, failRefund: false,
    summary: 'never answers; the refund is not recorded (a query shows it does not exist)',
  },
  'timeout-after-commit': {
    action: 'hold', commit: true, commitOverridable: false, failRefund: false,
    summary: 'records the refund, then never answers (a query shows it)',
  },
  'reset-before-commit': {
    action: 'reset', commit: false, commitOverridable: false, failRefund: false,
    summary: 'resets the connection; the refund is not recorded',
  },
  'reset-after-commit': {
    action: 'reset', commit: true, commitOverridable: false, failRefund: false,
    summary: 'records the refund, then resets the connection',
  },
  'connection-reset': {
    action: 'reset', commit: true, commitOverridable: true, failRefund: false,
    summary: 'resets the connection; records the refund first unless commit=no (same as reset-after-commit)',
  },
  'http-500': {
    action: 'http-500', commit: false, commitOverridable: true, failRefund: false,
    summary: 'HTTP 500 with an HTML page; not recorded unless commit=yes',
  },
  'http-502': {
    action: 'http-502', commit: true, commitOverridable: true, failRefund: false,
    summary: 'HTTP 502 with an HTML page, as from a gateway that lost the answer; recorded unless commit=no',
  },
  'malformed-body': {
    action: 'malformed-body', commit: true, commitOverridable: true, failRefund: false,
    summary: 'HTTP 200 with the first half of the real body; recorded unless commit=no',
  },
  'bad-signature': {
    action: 'bad-signature', commit: true, commitOverridable: false, failRefund: false,
    summary: 'the real answer with a corrupted signature (easypay rspSign, eftpay sign, a wrong tipay ti-signature header); recorded',
  },
  slow: {
    action: 'slow', commit: true, commitOverridable: false, failRefund: false,
    summary: 'the real answer after ms milliseconds (default 1000); recorded when the request arrives',
  },
  'slow-commit': {
    action: 'slow-commit', commit: false, commitOverridable: false, failRefund: false,
    summary:
      'the refund commits only after ms milliseconds (default 1000) or when released: until then a query does not find it ' +
      'and another request with the same refund number is refused as a duplicate; then the real answer',
  },
  'fail-refund': {
    action: 'none', commit: true, commitOverridable: false, failRefund: true,
    summary: 'the refund is accepted, then its final state is failed (its amount becomes refundable again)',
  },
} as const satisfies Record<string, FaultDefinition>;

export type FaultName = keyof typeof FAULTS;

export const FAULT_NAMES = Object.keys(FAULTS) as FaultName[];

/** Default delay of the `slow` and `slow-commit` faults. */
export const DEFAULT_SLOW_MS = 1000;

/**
 * The longest delay a fault may take: 10 minutes. Longer than any client deadline worth testing,
 * and far below Node's timer limit (2^31-1 ms), past which `setTimeout` would fire at once.
 */
export const MAX_FAULT_MS = 10 * 60_000;

/** Faults that only mean something for a refund request (a query commits nothing). */
const REFUND_ONLY: readonly FaultAction[] = ['slow-commit'];

/** Whether a fault plan applies only to refund requests. */
export function refundOnly(plan: FaultPlan): boolean {
  return plan.failRefund || REFUND_ONLY.includes(plan.action);
}

/** A fault resolved for one request. */
export interface FaultPlan {
  readonly name: FaultName;
  readonly action: FaultAction;
  readonly commit: boolean;
  readonly failRefund: boolean;
  readonly ms: number;
}

export interface ArmFaultInput {
  readonly provider: Provider;
  readonly fault: FaultName;
  /** Only requests about this refund number; any refund number when left out. */
  readonly refundNo?: string | undefined;
  /** Which operation it strikes; default `refund`. */
  readonly operation?: Operation | 'any' | undefined;
  /** How many matching requests it strikes; default 1. */
  readonly times?: number | undefined;
  /** `slow`, `slow-commit`: the delay; default 1000, at most {@link MAX_FAULT_MS}. */
  readonly ms?: number | undefined;
  /** Override whether the refund is recorded first (only where the name does not say it). */
  readonly commit?: boolean | undefined;
}

export interface ArmedFault {
  readonly id: number;
  readonly provider: Provider;
  readonly fault: FaultName;
  readonly refundNo: string | undefined;
  readonly operation: Operation | 'any';
  readonly remaining: number;
  readonly plan: FaultPlan;
}

/** A fault request the sandbox cannot honour (unknown name, no signature to corrupt, …). */
export class FaultError extends Error {
  override readonly name = 'FaultError';
}

/** Providers whose answers carry no signature, so `bad-signature` means nothing for them. */
const UNSIGNED_ANSWERS: readonly Provider[] = ['lianke', 'yima'];

export function isFaultName(value: unknown): value is FaultName {
  return typeof value === 'string' && Object.hasOwn(FAULTS, value);
}

/** Resolves a fault name and its options into a plan, or throws {@link FaultError}. */
export function planFault(
  provider: Provider,
  operation: Operation | 'any',
  fault: unknown,
  options: { readonly ms?: number | undefined; readonly commit?: boolean | undefined } = {},
): FaultPlan {
  if (!isFaultName(fault)) {
    throw new FaultError(`unknown fault ${JSON.stringify(fault)}; known: ${FAULT_NAMES.join(', ')}`);
  }
  const definition: FaultDefinition = FAULTS[fault];
  if (definition.action === 'bad-signature' && UNSIGNED_ANSWERS.includes(provider)) {
    throw new FaultError(`${provider} answers carry no signature, so bad-signature cannot apply`);
  }
  if ((definition.failRefund || REFUND_ONLY.includes(definition.action)) && operation === 'queryRefund') {
    throw new FaultError(`${fault} applies to refund requests, not queries`);
  }
  if (options.commit !== undefined && !definition.commitOverridable && options.commit !== definition.commit) {
    throw new FaultError(`${fault} always ${definition.commit ? 'records' : 'does not record'} the refund; commit cannot change that`);
  }
  const delays = definition.action === 'slow' || definition.action === 'slow-commit';
  const ms = options.ms ?? (delays ? DEFAULT_SLOW_MS : 0);
  if (!Number.isSafeInteger(ms) || ms < 0) throw new FaultError(`ms must be a non-negative integer, not ${String(options.ms)}`);
  if (ms > MAX_FAULT_MS) throw new FaultError(`ms must be at most ${MAX_FAULT_MS} (10 minutes), not ${ms}`);
  if (ms !== 0 && !delays) throw new FaultError(`ms applies to slow and slow-commit only, not ${fault}`);
  return {
    name: fault,
    action: definition.action,
    commit: options.commit ?? definition.commit,
    failRefund: definition.failRefund,
    ms,
  };
}

/**
 * Parses the `x-sandbox-fault` header: `name`, then optional `;commit=yes|no` and `;ms=<n>`,
 * e.g. `http-500;commit=yes` or `slow;ms=2500`.
 */
export function parseFaultHeader(provider: Provider, operation: Operation, value: string): FaultPlan {
  const [name = '', ...params] = value.split(';').map((s) => s.trim());
  let ms: number | undefined;
  let commit: boolean | undefined;
  for (const param of params) {
    const [key, raw = ''] = param.split('=').map((s) => s.trim());
    // Any digits: the bound is checked (and named) by planFault.
    if (key === 'ms' && /^\d+$/.test(raw)) ms = Number(raw);
    else if (key === 'commit' && /^(yes|true|no|false)$/.test(raw)) commit = raw === 'yes' || raw === 'true';
    else throw new FaultError(`x-sandbox-fault: cannot read parameter ${JSON.stringify(param)} (commit=yes|no, ms=<n>)`);
  }
  return planFault(provider, operation, name, { ms, commit });
}

/** The faults armed for coming requests, matched in the order they were armed. */
export class FaultBoard {
  #nextId = 1;
  #armed: ArmedFault[] = [];

  arm(input: ArmFaultInput): ArmedFault {
    const operation = input.operation ?? 'refund';
    if (operation !== 'refund' && operation !== 'queryRefund' && operation !== 'any') {
      throw new FaultError(`operation must be refund, queryRefund or any, not ${JSON.stringify(operation)}`);
    }
    const times = input.times ?? 1;
    if (!Number.isSafeInteger(times) || times < 1) throw new FaultError(`times must be a positive integer, not ${String(times)}`);
    if (input.refundNo !== undefined && (typeof input.refundNo !== 'string' || input.refundNo === '')) {
      throw new FaultError('refundNo must be a non-empty string when given');
    }
    const plan = planFault(input.provider, operation, input.fault, { ms: input.ms, commit: input.commit });
    const armed: ArmedFault = {
      id: this.#nextId++,
      provider: input.provider,
      fault: plan.name,
      refundNo: input.refundNo,
      operation,
      remaining: times,
      plan,
    };
    this.#armed.push(armed);
    return armed;
  }

  /** The plan of the first armed fault matching this request, used up by one. */
  take(provider: Provider, operation: Operation, refundNo: string): FaultPlan | undefined {
    const index = this.#armed.findIndex(
      (f) =>
        f.provider === provider &&
        (f.operation === 'any' || f.operation === operation) &&
        (f.refundNo === undefined || f.refundNo === refundNo) &&
        !(refundOnly(f.plan) && operation !== 'refund'),
    );
    if (index < 0) return undefined;
    const found = this.#armed[index]!;
    if (found.remaining <= 1) this.#armed.splice(index, 1);
    else this.#armed[index] = { ...found, remaining: found.remaining - 1 };
    return found.plan;
  }

  list(): ArmedFault[] {
    return [...this.#armed];
  }

  clear(): void {
    this.#armed = [];
  }
}
