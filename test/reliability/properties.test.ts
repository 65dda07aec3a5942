/**
 * Bad input, as property tests (fast-check, 1 000 runs each; fast-check prints the seed and the
 * path of a failing run, and `FC_SEED` replays one). Nothing here touches the network: answers
 * come from an injected `fetch` serving bytes recorded once from the sandbox (or generated).
 *
 * - Arbitrary requests into `refunds.refund` → a refund, or a typed refundkit error; never a
 *   TypeError, never a hang (each run is bounded).
 * - Arbitrary bytes, strings, JSON and mutations of real answers into every generated client's
 *   refund answer path, the yima codec (`decodeAnyMessage`, `readMessage`), the easypay and tipay
 *   notification verifiers and the facade's `handleNotification` → a typed refundkit error or a
 *   valid result; never a TypeError, and never a success the bytes do not prove: a truncated
 *   answer is never read, a tampered signed answer never changes what the facade concludes, and
 *   a notification moves a refund to succeeded only when it is the authentic one.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { createEasypayClient } from '@refundkit/easypay';
import { createEftpayClient } from '@refundkit/eftpay';
import { createLiankeClient } from '@refundkit/lianke';
import {
  ConfigError,
  createRefunds,
  mapEasypayAnswer,
  mapEftpayAnswer,
  mapLiankeAnswer,
  mapTipayAnswer,
  mapYimaAnswer,
  MemoryLedger,
  type ProviderAnswer,
  type Refund,
  type RefundInput,
} from '@refundkit/refunds';
import { RefundkitError, type FetchLike } from '@refundkit/runtime';
import { startSandbox, type Sandbox } from '@refundkit/sandbox';
import { tipaySignature } from '@refundkit/signing';
import { createTipayClient } from '@refundkit/tipay';
import { createYimaClient, decodeAnyMessage, messageNames, readMessage } from '@refundkit/yima';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { collectSecrets, CURRENCY, idFor, OPTIONS, PROVIDERS, providerConfigs, accountFor, refundInput, SecretScanner, Seen, type Provider } from './support.js';

// Generous bounds, so a loaded machine is slow rather than failing: every wait inside is bounded too.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 60_000 });

const RUNS = 1_000;
/** Each run is bounded: one that takes longer is a failure (a hang), not a wait. */
const RUN_TIMEOUT_MS = 5_000;
const seed = process.env['FC_SEED'] === undefined ? {} : { seed: Number(process.env['FC_SEED']) };
const params = { numRuns: RUNS, timeout: RUN_TIMEOUT_MS, ...seed };

const seen = new Seen();
const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

/** Runs `work`; returns its value, or the error when it is a typed refundkit error; any other error fails the run. */
async function typed<T>(work: () => T | Promise<T>, where: string): Promise<{ ok: true; value: T } | { ok: false; error: RefundkitError }> {
  try {
    return { ok: true, value: await work() };
  } catch (error) {
    seen.error(error, where);
    if (error instanceof RefundkitError) return { ok: false, error };
    throw new Error(`${where}: expected a RefundkitError, got ${error instanceof Error ? `${error.constructor.name}: ${error.message}\n${error.stack}` : String(error)}`, { cause: error });
  }
}

// ---------------------------------------------------------------------------------------------
// Answers recorded from the sandbox
// ---------------------------------------------------------------------------------------------

interface Recorded {
  readonly status: number;
  readonly headers: [string, string][];
  readonly bytes: Uint8Array;
}

type Operation = 'refund' | 'query';

/** What a request to the sandbox is: which provider, which operation. */
async function classify(request: Request): Promise<{ provider: Provider; operation: Operation } | undefined> {
  const path = new URL(request.url).pathname;
  if (path === '/yqt/trade/refund/speedRefund') return { provider: 'easypay', operation: 'refund' };
  if (path === '/yqt/trade/tradeQuery') return { provider: 'easypay', operation: 'query' };
  if (path === '/QuickPay/Refund') return { provider: 'lianke', operation: 'refund' };
  if (path === '/SuNingPay/RefundQuery') return { provider: 'lianke', operation: 'query' };
  if (path === '/api/v1/yb/trade/refund') return { provider: 'tipay', operation: 'refund' };
  if (path === '/api/v1/yb/trade/query') return { provider: 'tipay', operation: 'query' };
  const body = await request.clone().text();
  if (path === '/VMP/Servlet/JSAPIService.do') return { provider: 'eftpay', operation: body.includes('.Query"') ? 'query' : 'refund' };
  if (path === '/ipos') return { provider: 'yima', operation: body.includes('barcode_refundquery_request') ? 'query' : 'refund' };
  return undefined;
}

const recordings = new Map<string, Recorded>();
const recording = (provider: Provider, operation: Operation): Recorded => {
  const found = recordings.get(`${provider} ${operation}`);
  if (!found) throw new Error(`no ${provider} ${operation} answer was recorded`);
  return found;
};

/** A fetch that passes to the network and records each answer by provider and operation. */
function recordingFetch(): FetchLike {
  return async (url, init) => {
    const what = await classify(new Request(url, init));
    const response = await fetch(url, init);
    const bytes = new Uint8Array(await response.arrayBuffer());
    const headers = [...response.headers].filter(([name]) => name !== 'content-length' && name !== 'transfer-encoding');
    if (what) recordings.set(`${what.provider} ${what.operation}`, { status: response.status, headers, bytes });
    return new Response(bytes, { status: response.status, headers: response.headers });
  };
}

/** A fetch that answers every request with the recorded answer of its provider and operation (no network). */
const cannedFetch: FetchLike = async (url, init) => {
  const what = await classify(new Request(url, init));
  if (!what) return new Response('not found', { status: 404 });
  const answer = recording(what.provider, what.operation === 'query' ? 'query' : 'refund');
  return new Response(answer.bytes.slice(), { status: answer.status, headers: answer.headers });
};

let sandbox: Sandbox;
let receiver: Server;
const notificationBodies = new Map<'easypay' | 'tipay', string>();

beforeAll(async () => {
  // Answers for every provider, recorded from the sandbox: a refund answer, a query answer.
  sandbox = await startSandbox({ delayMs: 0, easypayMode: 'async' });
  receiver = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const provider = req.url === '/notify/easypay' ? 'easypay' : 'tipay';
      notificationBodies.set(provider, body);
      res.writeHead(200).end(provider === 'easypay' ? '{"code":"000000","msg":"Success"}' : 'SUCCESS');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const notifyBase = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/notify`;
  const refunds = createRefunds({ providers: providerConfigs(sandbox), fetch: recordingFetch(), timeoutMs: 15_000 });
  for (const provider of PROVIDERS) {
    const order = sandbox.addOrder(provider, { orderId: idFor(provider, 'PRPORD', 1), amount: 10_000 });
    const input = {
      ...refundInput(provider, order.orderId, idFor(provider, 'PRPRFD', 1), 1234, 10_000),
      ...(provider === 'easypay' || provider === 'tipay' ? { notifyUrl: `${notifyBase}/${provider}` } : {}),
    } as RefundInput;
    const first = await refunds.refund(input);
    await refunds.get(first);
  }
  // yima answers final at once, so the facade never queried it: ask its client directly.
  const c = sandbox.credentials;
  await createYimaClient({ baseUrl: sandbox.urls.yima, fetch: recordingFetch() }).queryRefund({
    request_type: 'barcode_refundquery_request',
    isspid: c.yima.isspid,
    pos_id: c.yima.posId,
    store_id: c.yima.storeId,
    pos_seq: '2025010210101000000001',
    system_id: c.yima.systemId,
    barcode_refundquery_request: { org_pos_seq: idFor('yima', 'PRPRFD', 1) },
  });
  await sandbox.notificationsIdle();
  expect([...notificationBodies.keys()].sort()).toEqual(['easypay', 'tipay']);
  expect(recordings.size).toBe(10);
});

afterAll(async () => {
  await sandbox?.close();
  await new Promise<void>((resolve) => (receiver ? receiver.close(() => resolve()) : resolve()));
});

// ---------------------------------------------------------------------------------------------
// Generators
// ---------------------------------------------------------------------------------------------

type Garbage = { readonly kind: 'bytes' | 'text' | 'json' | 'truncated' | 'mutated'; readonly bytes: Uint8Array };

const concat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) out.set(part, (at += part.length) - part.length);
  return out;
};

/** Every path into a JSON value (objects and arrays), for mutations. */
function pathsOf(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== 'object') return [prefix];
  const keys = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value);
  return [prefix, ...keys.flatMap((k) => pathsOf((value as Record<string | number, unknown>)[k], [...prefix, k]))];
}

/** `value` with the member at `path` replaced (`replacement` undefined: deleted). */
function replaceAt(value: unknown, path: readonly (string | number)[], replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const [head, ...rest] = path;
  if (Array.isArray(value)) return value.map((v, i) => (i === head ? replaceAt(v, rest, replacement) : v)).filter((v) => v !== undefined);
  const record = { ...(value as Record<string, unknown>) };
  const next = replaceAt(record[head as string], rest, replacement);
  if (next === undefined) delete record[head as string];
  else record[head as string] = next;
  return record;
}

/** Garbage of every kind, and mutations of `original` (bytes; JSON ones too when it is JSON). */
function garbageAround(original: Uint8Array, json?: unknown): fc.Arbitrary<Garbage> {
  const n = original.length;
  // A prefix that only drops trailing whitespace is still the whole document: not a truncation.
  let whole = n;
  while (whole > 0 && [0x20, 0x0a, 0x0d, 0x09].includes(original[whole - 1]!)) whole--;
  const byteMutations: fc.Arbitrary<Garbage>[] = [
    fc.nat({ max: whole - 1 }).map((k) => ({ kind: 'truncated' as const, bytes: original.slice(0, k) })),
    fc.tuple(fc.nat({ max: n - 1 }), fc.integer({ min: 1, max: 255 })).map(([i, x]) => {
      const bytes = original.slice();
      bytes[i] = bytes[i]! ^ x;
      return { kind: 'mutated' as const, bytes };
    }),
    fc.tuple(fc.nat({ max: n }), fc.uint8Array({ minLength: 1, maxLength: 16 })).map(([i, extra]) => ({ kind: 'mutated' as const, bytes: concat(original.slice(0, i), extra, original.slice(i)) })),
    fc.tuple(fc.nat({ max: n - 1 }), fc.integer({ min: 1, max: 64 })).map(([i, k]) => ({ kind: 'mutated' as const, bytes: concat(original.slice(0, i), original.slice(i + k)) })),
  ];
  const jsonMutations: fc.Arbitrary<Garbage>[] =
    json === undefined
      ? []
      : (() => {
          const paths = pathsOf(json).filter((p) => p.length > 0);
          return [
            fc.tuple(fc.constantFrom(...paths), fc.oneof(fc.jsonValue(), fc.constant(undefined), fc.string(), fc.integer())).map(([path, replacement]) => ({
              kind: 'mutated' as const,
              bytes: utf8(JSON.stringify(replaceAt(json, path, replacement)) ?? ''),
            })),
          ];
        })();
  return fc.oneof(
    fc.uint8Array({ maxLength: 512 }).map((bytes) => ({ kind: 'bytes' as const, bytes })),
    fc.string({ unit: 'binary', maxLength: 256 }).map((text) => ({ kind: 'text' as const, bytes: utf8(text) })),
    fc.jsonValue({ maxDepth: 4 }).map((value) => ({ kind: 'json' as const, bytes: utf8(JSON.stringify(value) ?? 'null') })),
    ...byteMutations,
    ...jsonMutations,
  );
}

const equalBytes = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

/** What the facade concludes from an answer (the raw text aside). */
const conclusion = (answer: ProviderAnswer) => ({ status: answer.status, providerRefundId: answer.providerRefundId, failure: answer.failure, orderAmount: answer.orderAmount });

// ---------------------------------------------------------------------------------------------
// Arbitrary requests into the facade
// ---------------------------------------------------------------------------------------------

const anyText = fc.oneof(fc.string(), fc.string({ unit: 'binary', maxLength: 40 }), fc.stringMatching(/^[A-Z0-9]{13,24}$/), fc.constantFrom('', ' ', 'EAORDER00000001', '中文退款单号0000000001'));
const anyAmount = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 1, max: 100_000 }) },
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -0, -1, 0.5, Number.NaN, Number.POSITIVE_INFINITY, Number.MAX_SAFE_INTEGER, 2 ** 53, 9_999_999, 10_000_000, 999_999_999, 1_000_000_000, 9_999_999_999, 10_000_000_000),
  fc.bigInt(),
  fc.string(),
  fc.constantFrom(undefined, null, true, {}, []),
);
/** Provider keys: the five, other strings, and names every object inherits (`constructor`, `__proto__`, …). */
const INHERITED = Object.getOwnPropertyNames(Object.prototype);
const anyProvider = fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...PROVIDERS) }, fc.string(), fc.constantFrom('EASYPAY', 'alipay', '', ...INHERITED));
const anyOptions = fc.oneof(
  fc.constantFrom(...Object.values(OPTIONS)),
  fc.record(
    {
      payType: fc.oneof(fc.constantFrom('AliPayRefund', '503', '502', ''), fc.anything()),
      oriTransDate: fc.oneof(fc.constantFrom('20250101', '2025-01-01', '99999999'), fc.anything()),
      paymentType: fc.oneof(fc.constantFrom('ALIPAYHK', 'WECHATHK', 'PAYME', 'VISA', 'toString', '__proto__'), fc.anything()),
      buyerType: fc.oneof(fc.constantFrom('ios', 'others', 'web'), fc.anything()),
    },
    { requiredKeys: [] },
  ),
  fc.dictionary(fc.string(), fc.anything()),
  fc.anything(),
);
const anyItems = fc.oneof(
  fc.array(fc.record({ id: fc.oneof(anyText, fc.anything()), name: fc.oneof(anyText, fc.anything()), quantity: anyAmount, price: anyAmount }), { maxLength: 3 }),
  fc.array(fc.record({ id: anyText, name: anyText, quantity: fc.integer({ min: 1, max: 5 }), price: fc.integer({ min: 1, max: 10_000 }) }), { minLength: 1, maxLength: 3 }),
  fc.oneof(fc.string(), fc.constant([null]), fc.array(fc.anything(), { maxLength: 3 }), fc.anything()),
);
const validId = fc.stringMatching(/^[A-Z0-9]{13,24}$/);
/** Mostly `valid`, sometimes anything: most requests get past the checks, each field is still attacked. */
const mostly = <T>(valid: fc.Arbitrary<T>, attack: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> => fc.oneof({ weight: 7, arbitrary: valid }, { weight: 1, arbitrary: attack });
/** A request for one provider, each field well-formed or not. */
const anyRequest = fc.constantFrom(...PROVIDERS).chain((provider) =>
  fc.record(
    {
      provider: mostly(fc.constant(provider), anyProvider),
      orderId: mostly(validId, fc.oneof(anyText, fc.anything())),
      refundId: mostly(validId, fc.oneof(anyText, fc.anything())),
      amount: mostly(fc.integer({ min: 1, max: 100_000 }), anyAmount),
      currency: mostly(fc.constant(CURRENCY[provider]), fc.oneof(fc.constantFrom('CNY', 'HKD', 'USD', 'cny', ''), fc.anything())),
      orderAmount: mostly(fc.integer({ min: 100_000, max: 200_000 }), anyAmount),
      reason: mostly(fc.string({ maxLength: 20 }), fc.oneof(anyText, fc.anything())),
      notifyUrl: mostly(fc.constantFrom('http://127.0.0.1:1/notify', 'https://shop.example.com/n'), fc.oneof(fc.constantFrom('not a url', ''), anyText, fc.anything())),
      items: anyItems,
      options: mostly(fc.constant(OPTIONS[provider]), anyOptions),
    },
    { requiredKeys: ['provider', 'orderId', 'refundId', 'amount', 'currency', 'options'] },
  ),
);

describe('arbitrary requests into refunds.refund', () => {
  it(`give a refund or a typed refundkit error, never a TypeError or a hang (${RUNS} runs)`, async () => {
    let refunded = 0;
    await fc.assert(
      fc.asyncProperty(anyRequest, async (request) => {
        const refunds = createRefunds({ providers: providerConfigs(sandbox), fetch: cannedFetch, timeoutMs: RUN_TIMEOUT_MS });
        const outcome = await typed(() => refunds.refund(request as unknown as RefundInput), 'refunds.refund');
        // Every provider's configuration is valid here: a ConfigError would be a request mistaken for one.
        if (!outcome.ok) expect(outcome.error, outcome.error.message).not.toBeInstanceOf(ConfigError);
        if (!outcome.ok) return;
        refunded++;
        const refund: Refund = outcome.value;
        seen.refund(refund, 'refunds.refund');
        // Only a well-formed request gets this far, and the refund is the one asked for.
        expect(PROVIDERS).toContain(request.provider);
        expect(Number.isSafeInteger(request.amount) && (request.amount as number) > 0).toBe(true);
        expect([refund.provider, refund.orderId, refund.refundId, refund.amount, refund.currency]).toEqual([request.provider, request.orderId, request.refundId, request.amount, request.currency]);
        expect(['pending', 'succeeded', 'failed', 'unknown']).toContain(refund.status);
      }),
      params,
    );
    // The generators reach the sending path, not only the input checks.
    expect(refunded).toBeGreaterThan(RUNS / 20);
  });

  it('a well-formed request through the canned answers is accepted by every provider (the canned path works)', async () => {
    const refunds = createRefunds({ providers: providerConfigs(sandbox), fetch: cannedFetch, timeoutMs: RUN_TIMEOUT_MS });
    for (const provider of PROVIDERS) {
      // The canned answers are the sandbox's to the recorded refund: the same refund is accepted (the echo rule).
      const refund = await refunds.refund(refundInput(provider, idFor(provider, 'PRPORD', 1), idFor(provider, 'PRPRFD', 1), 1234));
      expect(refund.status, provider).toBe(provider === 'yima' ? 'succeeded' : 'pending');
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Arbitrary bytes into every client's refund answer path
// ---------------------------------------------------------------------------------------------

/** What the injected fetch of an answer path serves in the current run. */
let serving: { bytes: Uint8Array; headers: [string, string][] } = { bytes: new Uint8Array(), headers: [] };
const servingFetch: FetchLike = async () => new Response(serving.bytes.slice(), { status: 200, headers: serving.headers });

/**
 * What the recorded refund sent (see `beforeAll`), for the echo rule: the answers served are the
 * sandbox's answers to that refund, so a mapping checks them against it.
 */
function recordedRefundSent<T extends object>(provider: Provider, merchant: T): T & { orderId: string; refundId: string; amount: number } {
  return { ...merchant, orderId: idFor(provider, 'PRPORD', 1), refundId: idFor(provider, 'PRPRFD', 1), amount: 1234 };
}

interface AnswerPath {
  /** Sends one refund with the path's client (over {@link servingFetch}) and maps the answer as the facade does. */
  run(): Promise<ProviderAnswer>;
  /** Whether the answer is signed, so that tampering can never change the conclusion. */
  readonly signed: boolean;
  readonly headers: [string, string][];
  readonly original: Uint8Array;
}

function answerPath(name: string): AnswerPath {
  const c = sandbox.credentials;
  const base = 'http://127.0.0.1:1';
  const fetch = servingFetch;
  const recorded = (provider: Provider) => ({ headers: recording(provider, 'refund').headers, original: recording(provider, 'refund').bytes });
  switch (name) {
    case 'easypay': {
      const client = createEasypayClient({ baseUrl: base, privateKey: c.easypay.merchantPrivateKeyPem, easypayPublicKey: c.easypay.easypayPublicKeyPem, fetch });
      const reqBody = {
        reqInfo: { mchtCode: c.easypay.mchtCode },
        reqOrderInfo: { orgTrace: 'EAPRPRFD00000009', oriOrgTrace: 'EP-PAID-0001', oriTransDate: '20250101', refundAmount: 100 },
        payInfo: { payType: 'AliPayRefund', transDate: '20250102' },
      };
      return { signed: true, ...recorded('easypay'), run: async () => mapEasypayAnswer(await client.refund({ reqBody }), 'refund', recordedRefundSent('easypay', { mchtCode: c.easypay.mchtCode })) };
    }
    case 'eftpay': {
      const client = createEftpayClient({ baseUrl: base, secretCode: c.eftpay.secretCode, fetch });
      const body = {
        service: 'service.alipay.qrcode.Refund',
        user_confirm_key: c.eftpay.userConfirmKey,
        transaction_amount: '1.00',
        out_trade_no: 'EFT-PAID-0001',
        paytype: 'Alipay',
        buyertype: 'others',
        payment_type: 'ALIPAYHK',
        refund_no: 'EFPRPRFD00000009',
        time: '20250102101010',
      } as const;
      return { signed: true, ...recorded('eftpay'), run: async () => mapEftpayAnswer(await client.refund(body), 'refund', recordedRefundSent('eftpay', { userConfirmKey: c.eftpay.userConfirmKey, currency: 'HKD' })) };
    }
    case 'lianke': {
      const client = createLiankeClient({ baseUrl: base, fetch });
      const body = { store_no: c.lianke.storeNo, operator: 'sandbox', refund_amount: 100, order_no: 'LK-PAID-0001', refund_no: 'LIPRPRFD00000009' };
      return { signed: false, ...recorded('lianke'), run: async () => mapLiankeAnswer(await client.refund(body), 'refund', recordedRefundSent('lianke', { storeNo: c.lianke.storeNo })) };
    }
    case 'tipay (unsigned answer)':
    case 'tipay (signed answer)': {
      const client = createTipayClient({ baseUrl: base, appId: c.tipay.appId, appKey: c.tipay.appKey, fetch });
      const body = { merchantNo: c.tipay.merchantNo, orderId: 'TP-PAID-0001', refundRequestId: 'TIPRPRFD00000009', refundAmount: '1.00' };
      const run = async () => mapTipayAnswer(await client.refund(body), 'refund', recordedRefundSent('tipay', { merchantNo: c.tipay.merchantNo }));
      if (name === 'tipay (unsigned answer)') return { signed: false, ...recorded('tipay'), run };
      // The sandbox does not sign tipay answers: sign the recorded one as Ti-Pay would, in headers.
      const original = recording('tipay', 'refund').bytes;
      return { signed: true, original, headers: Object.entries(tipayHeadersFor(original)), run };
    }
    case 'yima': {
      const client = createYimaClient({ baseUrl: `${base}/ipos`, fetch });
      const message = {
        request_type: 'barcode_refundbycashfee_request',
        isspid: c.yima.isspid,
        pos_id: c.yima.posId,
        store_id: c.yima.storeId,
        pos_seq: 'YIPRPRFD00000009',
        system_id: c.yima.systemId,
        barcode_refundbycashfee_request: { tx_amt: 100, org_pos_seq: 'YM-PAID-000000001' },
      } as const;
      return { signed: false, ...recorded('yima'), run: async () => mapYimaAnswer(await client.refund(message), 'refund', { isspid: c.yima.isspid, posId: c.yima.posId, posSeq: idFor('yima', 'PRPRFD', 1) }) };
    }
    default:
      throw new Error(`no answer path ${name}`);
  }
}

describe('arbitrary bytes into each client’s refund answer path', () => {
  const names = ['easypay', 'eftpay', 'lianke', 'tipay (unsigned answer)', 'tipay (signed answer)', 'yima'];

  it.each(names)(`%s: a typed error or a valid answer; garbage never succeeds, tampering never changes the conclusion (${RUNS} runs)`, async (name) => {
    const path = answerPath(name);
    const original = path.original;
    const originalJson = name === 'yima' ? undefined : (JSON.parse(new TextDecoder().decode(original)) as unknown);
    // The untouched answer is read, and is what tampering is compared with.
    serving = { bytes: original, headers: path.headers };
    const baseline = conclusion(await path.run());
    expect(baseline.status).toBe(name === 'yima' ? 'succeeded' : 'pending');
    let read = 0;
    await fc.assert(
      fc.asyncProperty(garbageAround(original, originalJson), async (garbage) => {
        serving = { bytes: garbage.bytes, headers: path.headers };
        const outcome = await typed(() => path.run(), `${name} answer`);
        if (!outcome.ok) return;
        read++;
        const concluded = conclusion(outcome.value);
        if (garbage.kind === 'truncated') throw new Error(`${name}: a truncated answer (${garbage.bytes.length} of ${original.length} bytes) was read`);
        if (garbage.kind !== 'mutated') expect(concluded.status).not.toBe('succeeded');
        if (path.signed && !equalBytes(garbage.bytes, original)) expect(concluded).toEqual(baseline);
      }),
      params,
    );
    if (!path.signed) expect(read).toBeGreaterThan(0);
  });
});

// ---------------------------------------------------------------------------------------------
// The yima codec
// ---------------------------------------------------------------------------------------------

describe('arbitrary bytes into the yima codec', () => {
  it(`decodeAnyMessage and readMessage: a ValidationError or a message, never anything else; truncations never decode (${RUNS} runs)`, async () => {
    const original = recording('yima', 'refund').bytes;
    const query = recording('yima', 'query').bytes;
    expect(decodeAnyMessage(original).name).toBe('refund.response');
    await fc.assert(
      fc.asyncProperty(fc.oneof(garbageAround(original), garbageAround(query)), fc.constantFrom(...messageNames), async (garbage, name) => {
        const any = await typed(() => decodeAnyMessage(garbage.bytes), 'yima decodeAnyMessage');
        if (any.ok) {
          expect(messageNames).toContain(any.value.name);
          if (garbage.kind === 'truncated') throw new Error(`a truncated message (${garbage.bytes.length} bytes) was decoded as ${any.value.name}`);
        }
        const read = await typed(() => readMessage(name, garbage.bytes), 'yima readMessage');
        if (read.ok && garbage.kind === 'truncated') throw new Error(`a truncated message (${garbage.bytes.length} bytes) was read as ${name}`);
      }),
      params,
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Notification verifiers
// ---------------------------------------------------------------------------------------------

/** A notification as bytes and headers; `authentic` only for the untouched signed original. */
interface Delivery {
  readonly kind: Garbage['kind'] | 'original';
  readonly body: Uint8Array | string;
  readonly headers: Record<string, string>;
  readonly authentic: boolean;
}

function tipayHeadersFor(bytes: Uint8Array): Record<string, string> {
  const timestamp = '1767225600000';
  return { 'content-type': 'application/json', 'ti-appid': sandbox.credentials.tipay.appId, 'ti-timestamp': timestamp, 'ti-signature': tipaySignature(bytes, timestamp, sandbox.credentials.tipay.appKey) };
}

/** Whether `bytes`, read as the verifier reads them, carry the same reqHeader, reqBody and reqSign as the original. */
function easypaySignedPartsUntouched(bytes: Uint8Array, originalText: string): boolean {
  const parts = (text: string): unknown => {
    const parsed = JSON.parse(text) as { reqHeader?: unknown; reqBody?: unknown; reqSign?: unknown } | null;
    return parsed !== null && typeof parsed === 'object' ? [parsed.reqHeader, parsed.reqBody, parsed.reqSign] : undefined;
  };
  try {
    const mine = parts(new TextDecoder().decode(bytes));
    return mine !== undefined && isDeepStrictEqual(mine, parts(originalText));
  } catch {
    return false;
  }
}

function deliveries(provider: 'easypay' | 'tipay'): fc.Arbitrary<Delivery> {
  const text = notificationBodies.get(provider)!;
  const original = utf8(text);
  const signedHeaders = provider === 'tipay' ? tipayHeadersFor(original) : { 'content-type': 'application/json' };
  const asText = fc.boolean();
  return fc.oneof(
    { weight: 1, arbitrary: fc.constant<Delivery>({ kind: 'original', body: original, headers: signedHeaders, authentic: true }) },
    {
      weight: 20,
      arbitrary: fc.tuple(garbageAround(original, JSON.parse(text)), fc.boolean(), asText).map(([garbage, withSignature, textBody]) => {
        const headers = provider === 'tipay' && !withSignature ? { 'content-type': 'application/json' } : signedHeaders;
        return {
          kind: garbage.kind,
          body: textBody ? new TextDecoder().decode(garbage.bytes) : garbage.bytes,
          headers,
          // tipay signs the bytes (in headers); easypay signs reqHeader and reqBody (reqSign in the body).
          authentic: provider === 'tipay' ? withSignature && equalBytes(garbage.bytes, original) : easypaySignedPartsUntouched(garbage.bytes, text),
        };
      }),
    },
  );
}

describe('arbitrary notifications into the verifiers', () => {
  it(`easypay verifyNotification: a SignatureError (or other typed error) unless the signed parts are untouched (${RUNS} runs)`, async () => {
    const c = sandbox.credentials;
    const client = createEasypayClient({ baseUrl: 'http://127.0.0.1:1', privateKey: c.easypay.merchantPrivateKeyPem, easypayPublicKey: c.easypay.easypayPublicKeyPem, fetch: cannedFetch });
    const authentic = JSON.parse(notificationBodies.get('easypay')!) as { reqHeader: unknown; reqBody: unknown };
    await fc.assert(
      fc.asyncProperty(deliveries('easypay'), async (delivery) => {
        const outcome = await typed(() => client.verifyNotification(delivery.body, delivery.headers), 'easypay verifyNotification');
        if (delivery.authentic) expect(outcome.ok).toBe(true);
        if (!outcome.ok) return;
        // Whatever passed carries exactly the header and body EasyPay signed.
        expect(isDeepStrictEqual([outcome.value.data.reqHeader, outcome.value.data.reqBody], [authentic.reqHeader, authentic.reqBody])).toBe(true);
      }),
      params,
    );
  });

  it(`tipay verifyNotification: a signed notification that was touched is refused; only the authentic one reads as verified (${RUNS} runs)`, async () => {
    const c = sandbox.credentials;
    const client = createTipayClient({ baseUrl: 'http://127.0.0.1:1', appId: c.tipay.appId, appKey: c.tipay.appKey, fetch: cannedFetch });
    await fc.assert(
      fc.asyncProperty(deliveries('tipay'), async (delivery) => {
        const outcome = await typed(() => client.verifyNotification(delivery.body, delivery.headers), 'tipay verifyNotification');
        if (delivery.authentic) expect(outcome.ok).toBe(true);
        if (!outcome.ok) return;
        expect(outcome.value.verified).toBe(delivery.authentic);
        if (delivery.kind === 'truncated') throw new Error('a truncated notification was read');
      }),
      params,
    );
  });

  it.each(['easypay', 'tipay'] as const)(`facade handleNotification(%s): typed errors only; a pending refund becomes succeeded only from the authentic notification (${RUNS} runs)`, async (provider) => {
    const refundId = idFor(provider, 'PRPRFD', 1);
    const recorded = await recordedRefund(provider, refundId);
    let moved = 0;
    await fc.assert(
      fc.asyncProperty(deliveries(provider), async (delivery) => {
        // A fresh ledger holding the refund as pending; queries (tipay) answer pending.
        const ledger = new MemoryLedger();
        const reserved = await ledger.reserve({ key: recorded, amount: recorded.amount, currency: recorded.currency, meta: recorded.meta, lease: { holder: 'test', ttlMs: 60_000 } });
        if (reserved.outcome !== 'new') throw new Error('expected a new reservation');
        await ledger.update(recorded, { source: 'refund', status: 'pending', lease: reserved.lease });
        const refunds = createRefunds({ providers: providerConfigs(sandbox), ledger, fetch: pendingQueries, timeoutMs: RUN_TIMEOUT_MS });
        const outcome = await typed(() => refunds.handleNotification(provider, { headers: delivery.headers, rawBody: delivery.body }), `handleNotification ${provider}`);
        const after = await ledger.get(recorded);
        if (after?.status === 'succeeded') moved++;
        expect(after?.status === 'succeeded' ? 'succeeded' : 'not succeeded').toBe(delivery.authentic ? 'succeeded' : 'not succeeded');
        if (outcome.ok && outcome.value.refund) expect(outcome.value.refund.status).toBe(after?.status);
      }),
      params,
    );
    expect(moved).toBeGreaterThan(0);
  });

  it('facade handleNotification for providers that document none, or none configured: a typed error', async () => {
    const refunds = createRefunds({ providers: providerConfigs(sandbox), fetch: cannedFetch });
    for (const provider of ['eftpay', 'lianke', 'yima'] as const) {
      const outcome = await typed(() => refunds.handleNotification(provider as never /* the types refuse it; plain JS is refused at run time */, { headers: {}, rawBody: '{}' }), `handleNotification ${provider}`);
      expect(outcome.ok, provider).toBe(false);
    }
  });
});

/** The refund the notification names, as a ledger would hold it (with the meta its queries need). */
async function recordedRefund(provider: 'easypay' | 'tipay', refundId: string): Promise<Refund> {
  const body = JSON.parse(notificationBodies.get(provider)!) as { refundRequestId?: string; reqBody?: { respOrderInfo?: { orgTrace?: string } } };
  expect(provider === 'tipay' ? body.refundRequestId : body.reqBody?.respOrderInfo?.orgTrace).toBe(refundId);
  const orderId = idFor(provider, 'PRPORD', 1);
  const now = new Date().toISOString();
  return {
    provider,
    account: accountFor(sandbox, provider),
    orderId,
    refundId,
    amount: 1234,
    currency: CURRENCY[provider],
    status: 'pending',
    attempts: 1,
    providerMayKnow: true,
    ...(provider === 'easypay' ? { meta: { payType: 'AliPayRefund', transDate: '20250101' } } : {}),
    createdAt: now,
    updatedAt: now,
  };
}

/** Query answers that say "still processing" (tipay PROCESSING: the refund answer's own data), so only a notification could settle a refund. */
const pendingQueries: FetchLike = async (url, init) => {
  const what = await classify(new Request(url, init));
  if (what?.provider === 'tipay' && what.operation === 'query') {
    const answer = recording('tipay', 'refund');
    return new Response(answer.bytes.slice(), { status: 200, headers: answer.headers });
  }
  return new Response('{}', { status: 503 });
};

// ---------------------------------------------------------------------------------------------

it('no secret appears in any error or refund these properties produced', () => {
  expect(seen.errors).toBeGreaterThan(RUNS);
  expect(new SecretScanner(collectSecrets(sandbox)).leaks(seen.texts)).toEqual([]);
});
