/**
 * One path per request (issue #15): every operation of every provider validates its request
 * once and encodes it once, the facade's refund included (it used to validate in the adapter and
 * again in the client, and yima GBK-encoded the document twice).
 *
 * Counted here, in this process only (the sandbox answering runs in a child process, so its own
 * checks of what it receives are not counted):
 * - validations: each generated package's `validators` entries for request messages are wrapped
 *   with a counter (the clients read `validators[name]` at call time);
 * - encodings: `JSON.stringify` of a value that is the operation's wire message and names this
 *   refund (JSON bodies), `encodeURIComponent` of the refund number (Ti-Pay's GET query) and
 *   `iconv.encode` of an XML request document naming it (yima's GBK body).
 * The answers' validations are counted too: one each.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import * as easypay from '@refundkit/easypay';
import * as eftpay from '@refundkit/eftpay';
import * as lianke from '@refundkit/lianke';
import { ADAPTERS, createRefunds, PROVIDERS, type ProviderKey, type Refund } from '@refundkit/refunds';
import * as tipay from '@refundkit/tipay';
import * as yima from '@refundkit/yima';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';

type Validator = ((value: unknown) => boolean) & { errors?: unknown };
type ValidatorTable = Record<string, Validator>;

const VALIDATORS: Record<ProviderKey, ValidatorTable> = {
  easypay: easypay.validators as unknown as ValidatorTable,
  eftpay: eftpay.validators as unknown as ValidatorTable,
  lianke: lianke.validators as unknown as ValidatorTable,
  tipay: tipay.validators as unknown as ValidatorTable,
  yima: yima.validators as unknown as ValidatorTable,
};

// The iconv-lite module the yima codec itself loads (resolved from @refundkit/yima).
const iconv = createRequire(createRequire(import.meta.url).resolve('@refundkit/yima'))('iconv-lite') as { encode: (text: string, encoding: string) => Buffer };

const OPERATIONS = ['refund', 'queryRefund'] as const;
type Operation = (typeof OPERATIONS)[number];

/** The sandbox, in its own process; its settings as the facade takes them. */
interface SandboxInfo {
  readonly urls: Record<ProviderKey, string>;
  readonly credentials: Record<ProviderKey, Record<string, string>>;
}

const SANDBOX_SCRIPT = `
const { startSandbox } = await import('@refundkit/sandbox');
const sandbox = await startSandbox();
process.stdout.write(JSON.stringify({ urls: sandbox.urls, credentials: sandbox.credentials }) + '\\n');
process.on('SIGTERM', async () => { await sandbox.close(); process.exit(0); });
`;

let child: ChildProcess | undefined;
let sandbox: SandboxInfo;

beforeAll(async () => {
  const started = spawn(process.execPath, ['--input-type=module', '-e', SANDBOX_SCRIPT], { cwd: join(import.meta.dirname, '..'), stdio: ['ignore', 'pipe', 'inherit'] });
  child = started;
  sandbox = await new Promise<SandboxInfo>((resolve, reject) => {
    let out = '';
    started.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      if (out.includes('\n')) resolve(JSON.parse(out.slice(0, out.indexOf('\n'))) as SandboxInfo);
    });
    started.once('exit', (code) => reject(new Error(`the sandbox exited (${code}) before it listened`)));
  });
}, 30_000);

afterAll(async () => {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child!.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
});

afterEach(() => {
  vi.restoreAllMocks();
});

function configOf(provider: ProviderKey): Record<string, string> {
  const c = sandbox.credentials[provider]!;
  const baseUrl = sandbox.urls[provider];
  switch (provider) {
    case 'easypay':
      return { baseUrl, mchtCode: c['mchtCode']!, privateKey: c['merchantPrivateKeyPem']!, easypayPublicKey: c['easypayPublicKeyPem']! };
    case 'eftpay':
      return { baseUrl, userConfirmKey: c['userConfirmKey']!, secretCode: c['secretCode']!, currency: 'HKD' };
    case 'lianke':
      return { baseUrl, storeNo: c['storeNo']!, operator: c['operator']! };
    case 'tipay':
      return { baseUrl, appId: c['appId']!, appKey: c['appKey']!, merchantNo: c['merchantNo']! };
    case 'yima':
      return { baseUrl, isspid: c['isspid']!, systemId: c['systemId']!, posId: c['posId']!, storeId: c['storeId']! };
  }
}

/** A paid order the sandbox seeds for each provider, and what a refund on it needs. */
const REFUNDS: Record<ProviderKey, { orderId: string; currency: string; options?: Record<string, string> }> = {
  easypay: { orderId: 'EP-PAID-0001', currency: 'CNY', options: { payType: 'AliPayRefund', oriTransDate: '20250101' } },
  eftpay: { orderId: 'EFT-PAID-0001', currency: 'HKD', options: { paymentType: 'ALIPAYHK' } },
  lianke: { orderId: 'LK-PAID-0001', currency: 'CNY' },
  tipay: { orderId: 'TP-PAID-0001', currency: 'CNY' },
  yima: { orderId: 'YM-PAID-000000001', currency: 'CNY' },
};

interface Counts {
  /** Calls of the operation's request validators (`<op>.request`, `<op>.request.unsigned`). */
  readonly requestValidations: number;
  /** Calls of the operation's answer validator (`<op>.response`). */
  readonly answerValidations: number;
  /** Times the request's wire form was produced. */
  readonly encodings: number;
}

/** Runs `action` with every counter in place and returns what it counted for `operation`. */
async function counted(provider: ProviderKey, operation: Operation, refundId: string, action: () => Promise<unknown>): Promise<Counts> {
  const table = VALIDATORS[provider];
  const original = { ...table };
  const calls: Record<string, number> = {};
  for (const [name, validator] of Object.entries(original)) {
    const wrapped = Object.assign((value: unknown) => {
      calls[name] = (calls[name] ?? 0) + 1;
      const ok = validator(value);
      wrapped.errors = validator.errors;
      return ok;
    }, { errors: undefined as unknown });
    table[name] = wrapped;
  }
  const isWireRequest = original[`${operation}.request`]!;
  let encodings = 0;
  const stringify = JSON.stringify;
  vi.spyOn(JSON, 'stringify').mockImplementation(function (this: unknown, ...args: Parameters<typeof JSON.stringify>) {
    const text = stringify.apply(JSON, args);
    const [value] = args;
    if (typeof value === 'object' && value !== null && typeof text === 'string' && text.includes(refundId) && isWireRequest(value)) encodings++;
    return text;
  } as typeof JSON.stringify);
  const encodeComponent = globalThis.encodeURIComponent;
  vi.spyOn(globalThis, 'encodeURIComponent').mockImplementation((component) => {
    if (component === refundId) encodings++;
    return encodeComponent(component);
  });
  const encode = iconv.encode;
  vi.spyOn(iconv, 'encode').mockImplementation((text: string, encoding: string) => {
    if (typeof text === 'string' && text.includes('<request_type>') && text.includes(refundId)) encodings++;
    return encode.call(iconv, text, encoding);
  });
  try {
    await action();
  } finally {
    Object.assign(table, original);
    vi.restoreAllMocks();
  }
  const requestValidations = (calls[`${operation}.request`] ?? 0) + (calls[`${operation}.request.unsigned`] ?? 0);
  return { requestValidations, answerValidations: calls[`${operation}.response`] ?? 0, encodings };
}

describe('one validation and one encoding per request', () => {
  let n = 0;
  for (const provider of PROVIDERS as readonly ProviderKey[]) {
    it(`${provider}: refund through the facade, then queryRefund through its adapter`, async () => {
      const config = configOf(provider);
      const { orderId, currency, options } = REFUNDS[provider];
      const refundId = `${provider.slice(0, 2).toUpperCase()}ONEPATH${Date.now().toString(36)}${String(++n).padStart(4, '0')}`.slice(0, 28);
      const refunds = createRefunds({ providers: { [provider]: config } as never });
      let refund: Refund | undefined;
      const refundCounts = await counted(provider, 'refund', refundId, async () => {
        refund = await refunds.refund({ provider, orderId, refundId, amount: 1, currency, ...(options ? { options } : {}) } as never);
      });
      expect(refund?.status, JSON.stringify(refund?.failure)).toMatch(/^(succeeded|pending)$/);
      expect(refundCounts).toEqual({ requestValidations: 1, answerValidations: 1, encodings: 1 });

      const adapter = await ADAPTERS[provider].load();
      const client = adapter.createClient(config as never, {});
      let answer: { status: string } | undefined;
      const queryCounts = await counted(provider, 'queryRefund', refundId, async () => {
        answer = await adapter.query(client, config as never, refund!, Date.now);
      });
      expect(answer?.status).toMatch(/^(succeeded|pending)$/);
      expect(queryCounts).toEqual({ requestValidations: 1, answerValidations: 1, encodings: 1 });
    });
  }
});
