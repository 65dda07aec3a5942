/**
 * Faults: every sandbox fault against every provider, through the facade. For each:
 * - the first outcome is never a false success: a fault that hides the answer gives `unknown`
 *   (with the transport/response code that says why), `fail-refund` ends `failed`, `slow` within
 *   the deadline gives the true answer;
 * - the sandbox never records a second refund (`requestsReceived`, its refunds, `refundedTotal`);
 * - a retry with the same refund id, then `waitFor`, ends in the true final state: succeeded,
 *   with the refund committed exactly once (a refund the fault kept from being recorded is
 *   recorded by the retry; a recorded one is found by a query and not sent again).
 *
 * The faults that hold the socket are met by a facade with a 400 ms deadline (the sandbox never
 * answers them, so the deadline is always what ends the exchange); every other exchange uses a
 * 15 s deadline, far above anything a loaded machine needs, so no outcome depends on timing.
 */
import { createRefunds, MemoryLedger, type Refunds } from '@refundkit/refunds';
import { FAULT_NAMES, startSandbox, type FaultName, type Sandbox } from '@refundkit/sandbox';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ANSWERS_FINAL, collectSecrets, idFor, outcomeOf, PROVIDERS, providerConfigs, refundInput, SecretScanner, Seen, settle, type Provider } from './support.js';

// Generous bounds, so a loaded machine is slow rather than failing: every wait inside is bounded too.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 60_000 });

/** What each fault does, from the sandbox README's table. */
interface FaultCase {
  /** The refund is recorded by the faulted request. */
  readonly commits: boolean;
  /** The facade's first status, and the failure code that says why (unknown outcomes). */
  readonly first: 'unknown' | 'answer' | 'fails';
  readonly code?: string;
  /** A facade with a short deadline meets it. */
  readonly impatient?: boolean;
  /** Options for `armFault`. */
  readonly ms?: number;
}

const CASES: Readonly<Record<FaultName, FaultCase>> = {
  'timeout-before-commit': { commits: false, first: 'unknown', code: 'timeout', impatient: true },
  'timeout-after-commit': { commits: true, first: 'unknown', code: 'timeout', impatient: true },
  'reset-before-commit': { commits: false, first: 'unknown', code: 'connection_failed' },
  'reset-after-commit': { commits: true, first: 'unknown', code: 'connection_failed' },
  'connection-reset': { commits: true, first: 'unknown', code: 'connection_failed' },
  'http-500': { commits: false, first: 'unknown', code: 'http_status' },
  'http-502': { commits: true, first: 'unknown', code: 'http_status' },
  'malformed-body': { commits: true, first: 'unknown', code: 'response_invalid' },
  'bad-signature': { commits: true, first: 'unknown', code: 'signature_invalid' },
  slow: { commits: true, first: 'answer', ms: 200 },
  // One caller alone: the commit waits 200 ms, then the true answer (the race it exists for is issue 12's).
  'slow-commit': { commits: true, first: 'answer', ms: 200 },
  'fail-refund': { commits: true, first: 'fails' },
};

/** lianke and yima answers carry no signature: the sandbox refuses to arm bad-signature for them. */
const UNSIGNED: ReadonlySet<Provider> = new Set(['lianke', 'yima']);

const ORDER = 5000;
const AMOUNT = 1500;
const IMPATIENT_MS = 400;

let sandbox: Sandbox;
let patient: Refunds;
let impatient: Refunds;
const seen = new Seen();

beforeAll(async () => {
  sandbox = await startSandbox({ delayMs: 0 });
  const ledger = new MemoryLedger();
  const providers = providerConfigs(sandbox);
  patient = createRefunds({ providers, ledger, timeoutMs: 15_000 });
  impatient = createRefunds({ providers, ledger, timeoutMs: IMPATIENT_MS });
});

afterAll(async () => {
  await sandbox?.close();
});

it('covers every fault the sandbox knows (bad-signature cannot be armed for lianke and yima, whose answers are unsigned)', () => {
  expect(Object.keys(CASES).sort()).toEqual([...FAULT_NAMES].sort());
  for (const provider of UNSIGNED) expect(() => sandbox.armFault({ provider, fault: 'bad-signature' })).toThrow(/no signature/);
  expect(sandbox.armedFaults()).toEqual([]);
});


/** What the first half of each case left for its retry. */
const firsts = new Map<string, { input: ReturnType<typeof refundInput>; orderId: string; refundId: string }>();

describe.each(PROVIDERS)('%s', (provider) => {
  const faults = FAULT_NAMES.filter((fault) => !(fault === 'bad-signature' && UNSIGNED.has(provider)));

  it.each(faults.map((fault, n) => [fault, n] as const))('%s: the first outcome is no false success, and the sandbox saw one request', async (fault, n) => {
    const spec = CASES[fault];
    const order = sandbox.addOrder(provider, { orderId: idFor(provider, 'FLTORD', n), amount: ORDER });
    const refundId = idFor(provider, 'FLTRFD', n);
    const input = refundInput(provider, order.orderId, refundId, AMOUNT, ORDER);
    sandbox.armFault({ provider, fault, refundNo: refundId, ...(spec.ms !== undefined ? { ms: spec.ms } : {}) });

    const first = await outcomeOf(() => (spec.impatient ? impatient : patient).refund(input));
    seen.outcome(first, `${provider} ${fault} first`);
    if (!first.ok) throw first.error;
    if (spec.first === 'unknown') {
      expect(first.value.status).toBe('unknown');
      // A yima answer cut in half is recognised as cut (answer_truncated); a JSON one is just not JSON.
      expect(first.value.failure?.code).toBe(fault === 'malformed-body' && provider === 'yima' ? 'answer_truncated' : spec.code);
    } else if (spec.first === 'answer') {
      expect(first.value.status).toBe(ANSWERS_FINAL.has(provider) ? 'succeeded' : 'pending');
    } else {
      expect(['pending', 'failed']).toContain(first.value.status);
      const failed = await settle(patient, first.value);
      seen.refund(failed, `${provider} ${fault} settled`);
      expect(failed.status).toBe('failed');
    }
    expect(sandbox.armedFaults()).toEqual([]);
    expect(sandbox.requestsReceived(provider, refundId)).toBe(1);
    expect(sandbox.refundedTotal(provider, order.orderId)).toBe(spec.commits && spec.first !== 'fails' ? AMOUNT : 0);
    firsts.set(`${provider} ${fault}`, { input, orderId: order.orderId, refundId });
  });

  it.each(faults)('%s: a retry with the same refund id ends succeeded, committed exactly once', async (fault) => {
    const spec = CASES[fault];
    const state = firsts.get(`${provider} ${fault}`);
    if (!state) throw new Error(`the first half of ${provider} ${fault} did not run`);
    const { input, orderId, refundId } = state;

    const retry = await outcomeOf(() => patient.refund(input));
    seen.outcome(retry, `${provider} ${fault} retry`);
    if (!retry.ok) throw retry.error;
    const final = await settle(patient, retry.value);
    seen.refund(final, `${provider} ${fault} final`);
    expect(final.status).toBe('succeeded');

    // Resent only when the faulted request left no live refund (not recorded, or recorded failed).
    const resent = !spec.commits || spec.first === 'fails';
    expect(sandbox.requestsReceived(provider, refundId)).toBe(resent ? 2 : 1);
    const records = sandbox.refunds(provider, orderId);
    expect(records.map((r) => [r.refundNo, r.amount, r.phase, r.attempt])).toEqual([[refundId, AMOUNT, 'succeeded', spec.first === 'fails' ? 2 : 1]]);
    expect(sandbox.refundedTotal(provider, orderId)).toBe(AMOUNT);

    // Asking again changes nothing at the sandbox.
    const again = await patient.refund(input);
    seen.refund(again, `${provider} ${fault} again`);
    expect(again.status).toBe('succeeded');
    expect(sandbox.requestsReceived(provider, refundId)).toBe(resent ? 2 : 1);
    expect(sandbox.refundedTotal(provider, orderId)).toBe(AMOUNT);
  });
});

it('the sandbox served every fault without an error of its own', () => {
  expect(sandbox.errors()).toEqual([]);
  // Every armed fault struck exactly one request (fail-refund is answered normally, then fails).
  const struck = PROVIDERS.reduce((n, p) => n + FAULT_NAMES.filter((f) => f !== 'fail-refund' && !(f === 'bad-signature' && UNSIGNED.has(p))).length, 0);
  expect(sandbox.requests().filter((r) => r.outcome === 'faulted').length).toBe(struck);
});

it('no secret appears in any error or refund these faults produced', () => {
  expect(seen.refunds).toBeGreaterThan(100);
  expect(new SecretScanner(collectSecrets(sandbox)).leaks(seen.texts)).toEqual([]);
});
