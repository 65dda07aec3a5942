/**
 * Property tests (fast-check): arbitrary nesting depth (0 to 100,000) and arbitrary bytes into
 * every decoder of provider text give a value or a typed error, never a RangeError, a TypeError
 * or a hang (each asynchronous run is bounded by fast-check's `timeout`):
 * - each generated client's refund answer path (easypay, eftpay, lianke, tipay JSON; yima XML),
 *   fed through an injected fetch;
 * - the yima codec (`decodeAnyMessage`, `readMessage`);
 * - the easypay and Ti-Pay notification verifiers;
 * - `parseJsonStringField` (Ti-Pay `refundAccountDetail`) and `readJsonResponse`;
 * - `canonicalJson` over values `JSON.parse` built from deep text (a `CanonicalJsonError`, the
 *   signing package's own typed error, or a text).
 */
import fc from 'fast-check';
import { createEasypayClient } from '@refundkit/easypay';
import { parseJsonStringField, readJsonResponse, RefundkitError, type CompiledValidator, type FetchLike } from '@refundkit/runtime';
import { startSandbox, type Sandbox } from '@refundkit/sandbox';
import { CanonicalJsonError, canonicalJson } from '@refundkit/signing';
import { createTipayClient } from '@refundkit/tipay';
import { decodeAnyMessage, messageNames, readMessage } from '@refundkit/yima';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { PROVIDERS, type Provider } from './fake-provider.js';
import { sendRefund } from './support.js';

vi.setConfig({ testTimeout: 180_000, hookTimeout: 60_000 });

/** Each asynchronous run must settle within this; a hang fails the property. */
const RUN_TIMEOUT_MS = 5_000;

let sandbox: Sandbox;
let configs: Record<Provider, Record<string, string>>;

beforeAll(async () => {
  sandbox = await startSandbox({ delayMs: 0 }); // for its test credentials only: nothing is sent to it
  const c = sandbox.credentials;
  const baseUrl = 'http://127.0.0.1:9/never-called';
  configs = {
    easypay: { baseUrl, mchtCode: c.easypay.mchtCode, privateKey: c.easypay.merchantPrivateKeyPem, easypayPublicKey: c.easypay.easypayPublicKeyPem },
    eftpay: { baseUrl, userConfirmKey: c.eftpay.userConfirmKey, secretCode: c.eftpay.secretCode },
    lianke: { baseUrl, storeNo: c.lianke.storeNo, operator: c.lianke.operator },
    tipay: { baseUrl, appId: c.tipay.appId, appKey: c.tipay.appKey, merchantNo: c.tipay.merchantNo },
    yima: { baseUrl, isspid: c.yima.isspid, systemId: c.yima.systemId, posId: c.yima.posId, storeId: c.yima.storeId },
  };
});

afterAll(async () => {
  await sandbox?.close();
});

type Shape = 'array' | 'object' | 'mixed';

/** JSON text nesting `depth` containers of `shape` around a string, inside an answer-like object. */
function deepJson(depth: number, shape: Shape): string {
  let open = '';
  let close = '';
  for (let i = 0; i < depth; i++) {
    const array = shape === 'array' || (shape === 'mixed' && i % 2 === 0);
    open += array ? '[' : '{"k":';
    close = (array ? ']' : '}') + close;
  }
  return `{"code":"SUCCESS","data":${open}"leaf"${close}}`;
}

/** A yima answer with an element nested `depth` deep inside the root. */
function deepXml(depth: number): Uint8Array {
  return Buffer.from(
    '<?xml version="1.0" encoding="GBK"?>\n<business_trans><response_type>barcode_refundbycashfee_response</response_type>' +
      '<a>'.repeat(depth) + 'x' + '</a>'.repeat(depth) + '<result><id>0000</id><comment>ok</comment></result></business_trans>',
    'latin1',
  );
}

const depths = fc.integer({ min: 0, max: 100_000 });
const shapes = fc.constantFrom<Shape>('array', 'object', 'mixed');
/** Arbitrary bytes, arbitrary text, and valid JSON (its bytes): each decoder meets all three. */
const bodies = fc.oneof(
  fc.uint8Array({ maxLength: 2048 }),
  fc.string({ unit: 'binary', maxLength: 512 }).map((text) => new TextEncoder().encode(text)),
  fc.json({ maxDepth: 6 }).map((text) => new TextEncoder().encode(text)),
);

/** What a decoder did: its value, or the error it threw. */
function outcome(work: () => unknown): { ok: true } | { ok: false; error: unknown } {
  try {
    work();
    return { ok: true };
  } catch (error) {
    return { ok: false, error };
  }
}

/** Passes when `error` is a refundkit error (or, for canonicalJson, the signing package's); names it otherwise. */
function expectTypedOrValue(result: { ok: true } | { ok: false; error: unknown }, allowed: (error: unknown) => boolean = (e) => e instanceof RefundkitError): void {
  if (result.ok) return;
  const { error } = result;
  expect(allowed(error), `${error instanceof Error ? `${error.constructor.name}: ${error.message}` : String(error)}`).toBe(true);
}

/** A fetch answering every request with `bytes` (status 200, JSON or XML content type). */
function answering(bytes: Uint8Array, provider: Provider): FetchLike {
  const type = provider === 'yima' ? 'text/xml; charset=GBK' : 'application/json';
  return async () => new Response(bytes, { status: 200, headers: { 'content-type': type } });
}

async function clientOutcome(provider: Provider, bytes: Uint8Array): Promise<{ ok: true } | { ok: false; error: unknown }> {
  try {
    await sendRefund(provider, configs[provider], { fetch: answering(bytes, provider), timeoutMs: RUN_TIMEOUT_MS }, 'PRORDER00000001', 'PRREFUND0000001');
    return { ok: true };
  } catch (error) {
    return { ok: false, error };
  }
}

describe.each(PROVIDERS)('the %s client, answered by anything', (provider) => {
  it('any nesting depth up to 100,000: a value or a typed error', async () => {
    await fc.assert(
      fc.asyncProperty(depths, shapes, async (depth, shape) => {
        const bytes = provider === 'yima' ? deepXml(depth) : new TextEncoder().encode(deepJson(depth, shape));
        expectTypedOrValue(await clientOutcome(provider, bytes));
      }),
      { numRuns: 25, timeout: RUN_TIMEOUT_MS },
    );
  });

  it('any bytes: a value or a typed error', async () => {
    await fc.assert(
      fc.asyncProperty(bodies, async (bytes) => {
        expectTypedOrValue(await clientOutcome(provider, bytes));
      }),
      { numRuns: 200, timeout: RUN_TIMEOUT_MS },
    );
  });
});

describe('the yima codec', () => {
  // xml-js reads about 1 MB a second: a 100,000-deep document is 700 KB, so depth gets fewer runs.
  it('any nesting depth up to 100,000: a typed error past 64, from every entry point', () => {
    fc.assert(
      fc.property(depths, fc.constantFrom(...messageNames), (depth, name) => {
        const bytes = deepXml(depth);
        expectTypedOrValue(outcome(() => decodeAnyMessage(bytes)));
        expectTypedOrValue(outcome(() => readMessage(name, bytes)));
        if (depth > 64) expect(outcome(() => decodeAnyMessage(bytes))).toMatchObject({ ok: false, error: { issues: [{ rule: 'depth' }] } });
      }),
      { numRuns: 20 },
    );
  });

  it('any bytes: a message or a typed error, from every entry point', () => {
    fc.assert(
      fc.property(bodies, fc.constantFrom(...messageNames), (bytes, name) => {
        expectTypedOrValue(outcome(() => decodeAnyMessage(bytes)));
        expectTypedOrValue(outcome(() => readMessage(name, bytes)));
      }),
      { numRuns: 300 },
    );
  });
});

describe('notification verifiers', () => {
  it('easypay and Ti-Pay: any depth, any bytes give a verified notification or a typed error', () => {
    const c = sandbox.credentials;
    const easypay = createEasypayClient({ baseUrl: 'http://127.0.0.1:9', privateKey: c.easypay.merchantPrivateKeyPem, easypayPublicKey: c.easypay.easypayPublicKeyPem });
    const tipay = createTipayClient({ baseUrl: 'http://127.0.0.1:9', appId: c.tipay.appId, appKey: c.tipay.appKey });
    const inputs = fc.oneof(fc.tuple(depths, shapes).map(([depth, shape]) => new TextEncoder().encode(deepJson(depth, shape))), bodies);
    fc.assert(
      fc.property(inputs, (bytes) => {
        expectTypedOrValue(outcome(() => easypay.verifyNotification(bytes)));
        expectTypedOrValue(outcome(() => tipay.verifyNotification(bytes, { 'ti-timestamp': '1700000000000', 'ti-signature': '0'.repeat(64) })));
      }),
      { numRuns: 200 },
    );
  });
});

describe('JSON readers of the runtime and canonical JSON', () => {
  const anything = Object.assign((() => true) as unknown as CompiledValidator<unknown>, { errors: null });
  const texts = fc.oneof(fc.tuple(depths, shapes).map(([depth, shape]) => deepJson(depth, shape)), bodies.map((bytes) => new TextDecoder().decode(bytes)));

  it('parseJsonStringField and readJsonResponse: a value or a typed error', () => {
    fc.assert(
      fc.property(texts, (text) => {
        expectTypedOrValue(outcome(() => parseJsonStringField(text, 'data.refundAccountDetail', { debitAmount: 2 })));
        expectTypedOrValue(outcome(() => readJsonResponse(text, { messageName: 'refund.response', validator: anything })));
      }),
      { numRuns: 300 },
    );
  });

  it('canonicalJson over any value JSON.parse builds: a text or a CanonicalJsonError', () => {
    fc.assert(
      fc.property(fc.tuple(depths, shapes), ([depth, shape]) => {
        const value = JSON.parse(deepJson(depth, shape)) as unknown;
        expectTypedOrValue(outcome(() => canonicalJson(value)), (error) => error instanceof CanonicalJsonError);
      }),
      { numRuns: 100 },
    );
  });
});
