/**
 * Secrets: the sandbox's easypay merchant private key (its PEM body, line by line and as one
 * string), the tipay AppKey, the eftpay secret code, a secret passed wrapped in `Secret`, a wrong
 * eftpay secret and a second private key never appear, whole or as any 12-character piece, in:
 * - `util.inspect` / `JSON.stringify` of created clients and signers, of `createRefunds(...)`
 *   objects and of `Secret`s;
 * - the refunds the facade returns (succeeded, pending, failed, unknown, with raw answers);
 * - the messages and `util.inspect` of the errors the facade throws (bad keys, bad input, local
 *   refusals), and anything logged meanwhile;
 * - the CLI's output (`run([...], io)`), with and without `--json`, on success and error paths
 *   (wrong secrets the provider refuses, a broken key file, a missing variable, local refusals).
 * Every error and refund the other reliability suites see is scanned by the same scanner at the
 * end of each suite.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inspect } from 'node:util';
import { run } from '@refundkit/cli';
import { createEasypayClient } from '@refundkit/easypay';
import { createEftpayClient } from '@refundkit/eftpay';
import { createLiankeClient } from '@refundkit/lianke';
import { ConfigError, ConflictError, createRefunds, MemoryLedger, NotFoundError, OverRefundError, type RefundInput } from '@refundkit/refunds';
import { ValidationError } from '@refundkit/runtime';
import { startSandbox, type Sandbox } from '@refundkit/sandbox';
import { createEasypaySigner, createEftpaySigner, createTipaySigner, Secret } from '@refundkit/signing';
import { createTipayClient } from '@refundkit/tipay';
import { createYimaClient } from '@refundkit/yima';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  collectSecrets,
  expectTyped,
  idFor,
  outcomeOf,
  pemBodyLines,
  PROVIDERS,
  providerConfigs,
  refundInput,
  SecretScanner,
  Seen,
  WRAPPED_SECRET_VALUE,
  WRONG_EFTPAY_SECRET,
  type Provider,
} from './support.js';

// Generous bounds, so a loaded machine is slow rather than failing: every wait inside is bounded too.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 60_000 });

/** The sandbox's own EasyPay private key: a valid key that is not the merchant's (the sandbox refuses its signatures). */
const SANDBOX_KEYS = join(dirname(fileURLToPath(import.meta.resolve('@refundkit/sandbox/package.json'))), 'keys');
const OTHER_PRIVATE_KEY = readFileSync(join(SANDBOX_KEYS, 'test-easypay-private.pem'), 'utf8');

let sandbox: Sandbox;
let scanner: SecretScanner;
let dir: string;
const seen = new Seen();
const logged: string[] = [];
const consoleSpies: { mockRestore(): void }[] = [];

beforeAll(async () => {
  sandbox = await startSandbox({ delayMs: 0 });
  scanner = new SecretScanner([...collectSecrets(sandbox), OTHER_PRIVATE_KEY.trim(), ...pemBodyLines(OTHER_PRIVATE_KEY)]);
  dir = mkdtempSync(join(tmpdir(), 'refundkit-secrets-'));
  // Anything logged while this suite drives the packages is scanned too.
  for (const method of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) {
    consoleSpies.push(vi.spyOn(console, method).mockImplementation((...args: unknown[]) => void logged.push(args.map((a) => (typeof a === 'string' ? a : inspect(a, { depth: 8 }))).join(' '))));
  }
});

afterAll(async () => {
  for (const spy of consoleSpies) spy.mockRestore();
  await sandbox?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const show = (value: unknown): string => inspect(value, { showHidden: true, depth: Infinity, getters: true });

/** Scans `texts` now (so a failure names the step) and keeps them for the final sweep. */
function expectClean(texts: { label: string; text: string }[]): void {
  for (const t of texts) seen.text(t.text, t.label);
  expect(scanner.leaks(texts)).toEqual([]);
}

describe('the scanner', () => {
  it('finds each secret whole, a key line, the key reflowed on one line, and a 12-character piece; passes clean text', () => {
    const c = sandbox.credentials;
    const lines = pemBodyLines(c.easypay.merchantPrivateKeyPem);
    const planted = [
      c.tipay.appKey,
      `eftpay said ${c.eftpay.secretCode}.`,
      `key: ${lines[3]}`,
      `reflowed: ${lines.join('').slice(100, 400)}`,
      `piece: ${WRAPPED_SECRET_VALUE.slice(3, 15)}`,
      `other key line ${pemBodyLines(OTHER_PRIVATE_KEY)[5]}`,
    ];
    expect(scanner.leaks(planted.map((text, i) => ({ label: `planted ${i}`, text })))).toHaveLength(planted.length);
    expect(scanner.leaks([{ label: 'clean', text: `refund ${idFor('tipay', 'X', 1)} succeeded; ${Secret.REDACTED}` }])).toEqual([]);
  });
});

describe('objects', () => {
  it('created clients and signers, with secrets plain or in Secret: inspect and JSON.stringify show none', () => {
    const c = sandbox.credentials;
    const texts: { label: string; text: string }[] = [];
    for (const wrap of [false, true]) {
      const secret = (value: string): string | Secret<string> => (wrap ? new Secret(value) : value);
      const objects: Record<string, unknown> = {
        easypayClient: createEasypayClient({ baseUrl: sandbox.urls.easypay, privateKey: secret(c.easypay.merchantPrivateKeyPem), easypayPublicKey: c.easypay.easypayPublicKeyPem }),
        eftpayClient: createEftpayClient({ baseUrl: sandbox.urls.eftpay, secretCode: secret(c.eftpay.secretCode) }),
        liankeClient: createLiankeClient({ baseUrl: sandbox.urls.lianke }),
        tipayClient: createTipayClient({ baseUrl: sandbox.urls.tipay, appId: c.tipay.appId, appKey: secret(c.tipay.appKey) }),
        yimaClient: createYimaClient({ baseUrl: sandbox.urls.yima }),
        easypaySigner: createEasypaySigner({ privateKey: secret(c.easypay.merchantPrivateKeyPem), easypayPublicKey: c.easypay.easypayPublicKeyPem }),
        eftpaySigner: createEftpaySigner({ secretCode: secret(c.eftpay.secretCode) }),
        tipaySigner: createTipaySigner({ appId: c.tipay.appId, appKey: secret(WRAPPED_SECRET_VALUE) }),
      };
      for (const [name, object] of Object.entries(objects)) {
        texts.push({ label: `inspect(${name}${wrap ? ', wrapped' : ''})`, text: show(object) });
        texts.push({ label: `JSON.stringify(${name}${wrap ? ', wrapped' : ''})`, text: JSON.stringify(object) ?? '' });
      }
    }
    const wrapped = new Secret(WRAPPED_SECRET_VALUE);
    texts.push(
      { label: 'inspect(Secret)', text: show({ appKey: wrapped }) },
      { label: 'JSON.stringify(Secret)', text: JSON.stringify({ appKey: wrapped }) },
      { label: 'template literal of Secret', text: `${wrapped}` },
      { label: 'String(Secret)', text: String(wrapped) },
      { label: 'structuredClone(Secret)', text: show(structuredClone(wrapped)) },
    );
    expect(texts.find((t) => t.label === 'JSON.stringify(Secret)')?.text).toBe('{"appKey":"[redacted]"}');
    expect(wrapped.reveal()).toBe(WRAPPED_SECRET_VALUE);
    expectClean(texts);
  });

  it('createRefunds(...) objects, before and after use: inspect and JSON.stringify show none', async () => {
    const texts: { label: string; text: string }[] = [];
    for (const wrap of [false, true]) {
      const refunds = createRefunds({ providers: providerConfigs(sandbox, { wrap }), ledger: new MemoryLedger() });
      texts.push({ label: `inspect(createRefunds${wrap ? ', wrapped' : ''})`, text: show(refunds) });
      for (const provider of PROVIDERS) {
        const order = sandbox.addOrder(provider, { orderId: idFor(provider, wrap ? 'OBJWO' : 'OBJO', 1), amount: 1000 });
        const refund = await refunds.refund(refundInput(provider, order.orderId, idFor(provider, wrap ? 'OBJW' : 'OBJ', 1), 100));
        seen.refund(refund, `objects ${provider}`);
        expect(['pending', 'succeeded'], provider).toContain(refund.status);
      }
      texts.push({ label: `inspect(createRefunds${wrap ? ', wrapped' : ''}) after use`, text: show(refunds) }, { label: 'JSON.stringify(createRefunds)', text: JSON.stringify(refunds) });
    }
    expectClean(texts);
  });
});

describe('refunds and errors through the facade', () => {
  it('refunds that succeeded, and ones the provider refused or could not be read (wrong secrets), show no secret', async () => {
    const c = sandbox.credentials;
    const good = createRefunds({ providers: providerConfigs(sandbox, { wrap: true }), timeoutMs: 15_000 });
    const wrong = createRefunds({
      providers: {
        ...providerConfigs(sandbox),
        easypay: { baseUrl: sandbox.urls.easypay, mchtCode: c.easypay.mchtCode, privateKey: new Secret(OTHER_PRIVATE_KEY), easypayPublicKey: c.easypay.easypayPublicKeyPem },
        eftpay: { baseUrl: sandbox.urls.eftpay, userConfirmKey: c.eftpay.userConfirmKey, secretCode: WRONG_EFTPAY_SECRET, currency: 'HKD' },
        tipay: { baseUrl: sandbox.urls.tipay, appId: c.tipay.appId, appKey: new Secret(WRAPPED_SECRET_VALUE), merchantNo: c.tipay.merchantNo },
      },
      timeoutMs: 15_000,
    });
    const expectedWrong: Partial<Record<Provider, string>> = { easypay: 'failed', eftpay: 'unknown', tipay: 'failed' };
    for (const provider of PROVIDERS) {
      const order = sandbox.addOrder(provider, { orderId: idFor(provider, 'SECORD', 1), amount: 10_000 });
      const ok = await good.refund(refundInput(provider, order.orderId, idFor(provider, 'SECOK', 1), 1000, 10_000));
      const settled = await good.waitFor(ok, { timeoutMs: 15_000, intervalMs: 50 });
      expect(settled.status, provider).toBe('succeeded');
      sandbox.armFault({ provider, fault: 'http-500', refundNo: idFor(provider, 'SECFLT', 1) });
      const faulted = await good.refund(refundInput(provider, order.orderId, idFor(provider, 'SECFLT', 1), 1000, 10_000));
      expect(faulted.status, provider).toBe('unknown');
      for (const refund of [ok, settled, faulted]) seen.refund(refund, `facade ${provider}`);
      if (expectedWrong[provider]) {
        const refused = await wrong.refund(refundInput(provider, order.orderId, idFor(provider, 'SECBAD', 1), 1000));
        seen.refund(refused, `facade ${provider} wrong secret`);
        expect(refused.status, provider).toBe(expectedWrong[provider]);
        expect(sandbox.refund(provider, idFor(provider, 'SECBAD', 1)), provider).toBeUndefined();
      }
    }
    expect(scanner.leaks(seen.texts)).toEqual([]);
  });

  it('errors the facade throws (unusable keys, bad input, local refusals): typed, and no secret in message or inspect', async () => {
    const c = sandbox.credentials;
    const lines = pemBodyLines(c.easypay.merchantPrivateKeyPem);
    const brokenPem = ['-----BEGIN PRIVATE KEY-----', ...lines.slice(0, 10), lines[10]!.replace(/[A-Za-z]/, '!'), ...lines.slice(11), '-----END PRIVATE KEY-----', ''].join('\n');
    const easypay = (privateKey: unknown) => ({ baseUrl: sandbox.urls.easypay, mchtCode: c.easypay.mchtCode, privateKey, easypayPublicKey: c.easypay.easypayPublicKeyPem });
    const attempts: { label: string; expected: abstract new (...args: never[]) => Error; work: () => Promise<unknown> }[] = [
      ...[brokenPem, new Secret(brokenPem), lines.join('').slice(0, 600), WRAPPED_SECRET_VALUE, new Secret(WRAPPED_SECRET_VALUE), c.easypay.merchantPrivateKeyPem.replace('PRIVATE KEY', 'PUBLIC KEY')].map((privateKey, i) => ({
        label: `easypay privateKey #${i}`,
        expected: ConfigError,
        work: () => createRefunds({ providers: { easypay: easypay(privateKey) as never } }).refund(refundInput('easypay', 'EP-PAID-0001', idFor('easypay', 'SECKEY', i), 100) as never),
      })),
      {
        label: 'easypay public key given as the private one',
        expected: ConfigError,
        work: () => createRefunds({ providers: { easypay: { ...easypay(c.easypay.merchantPrivateKeyPem), easypayPublicKey: c.easypay.merchantPrivateKeyPem } as never } }).refund(refundInput('easypay', 'EP-PAID-0001', 'EASECPUB00000001', 100) as never),
      },
      {
        label: 'eftpay secret code not a string',
        expected: ConfigError,
        work: () => createRefunds({ providers: { eftpay: { ...(providerConfigs(sandbox).eftpay as object), secretCode: { code: c.eftpay.secretCode } } as never } }).refund(refundInput('eftpay', 'EFT-PAID-0001', 'EFSECCODE0000001', 100) as never),
      },
      { label: 'bad amount', expected: ValidationError, work: () => createRefunds({ providers: providerConfigs(sandbox) }).refund({ ...refundInput('tipay', 'TP-PAID-0001', 'TISECAMT00000001', 100), amount: 1.5 }) },
      { label: 'bad refund id', expected: ValidationError, work: () => createRefunds({ providers: providerConfigs(sandbox) }).refund(refundInput('eftpay', 'EFT-PAID-0001', 'x'.repeat(64), 100)) },
      { label: 'missing easypay options', expected: ValidationError, work: () => createRefunds({ providers: providerConfigs(sandbox) }).refund({ ...refundInput('easypay', 'EP-PAID-0001', 'EASECOPT00000001', 100), options: undefined } as RefundInput) },
      { label: 'unconfigured provider', expected: NotFoundError, work: () => createRefunds({ providers: { tipay: providerConfigs(sandbox).tipay! } }).refund(refundInput('lianke', 'LK-PAID-0001', 'LISECNONE0000001', 100) as never) },
      {
        label: 'over-refund and conflict',
        expected: ConflictError,
        work: async () => {
          const refunds = createRefunds({ providers: providerConfigs(sandbox, { wrap: true }) });
          const order = sandbox.addOrder('tipay', { orderId: idFor('tipay', 'SECOVR', 1), amount: 1000 });
          await refunds.refund(refundInput('tipay', order.orderId, idFor('tipay', 'SECOVR', 1), 600, 1000));
          const over = await outcomeOf(() => refunds.refund(refundInput('tipay', order.orderId, idFor('tipay', 'SECOVR', 2), 600, 1000)));
          expect(over.ok).toBe(false);
          if (!over.ok) {
            expect(over.error).toBeInstanceOf(OverRefundError);
            seen.error(over.error, 'over-refund');
          }
          return refunds.refund(refundInput('tipay', order.orderId, idFor('tipay', 'SECOVR', 1), 700, 1000));
        },
      },
    ];
    for (const attempt of attempts) {
      const outcome = await outcomeOf(attempt.work);
      expect(outcome.ok, attempt.label).toBe(false);
      if (outcome.ok) continue;
      seen.error(outcome.error, attempt.label);
      expectTyped(outcome.error);
      expect(outcome.error, attempt.label).toBeInstanceOf(attempt.expected);
    }
    expect(scanner.leaks(seen.texts)).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// The CLI
// ---------------------------------------------------------------------------------------------

interface CliRun {
  readonly argv: readonly string[];
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

const cliRuns: CliRun[] = [];

async function cli(argv: readonly string[], env: Record<string, string>): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const io = { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) }, env, cwd: dir };
  const outcome = await outcomeOf(() => run(argv, io));
  if (!outcome.ok) {
    seen.error(outcome.error, `refundkit ${argv.join(' ')}`);
    throw new Error(`refundkit ${argv.join(' ')} threw instead of printing and exiting: ${String(outcome.error)}`, { cause: outcome.error });
  }
  const result = { argv, code: outcome.value, stdout, stderr };
  cliRuns.push(result);
  return result;
}

describe('the CLI (run with an injected io)', () => {
  /** A config file for the sandbox: secrets from the environment (`env`) or written in the file (`inline`). */
  function writeConfig(name: string, secrets: 'env' | 'inline', overrides: Record<string, Record<string, unknown>> = {}): string {
    const c = sandbox.credentials;
    const providers: Record<string, Record<string, unknown>> = {
      easypay:
        secrets === 'env'
          ? { baseUrl: sandbox.urls.easypay, mchtCode: c.easypay.mchtCode, privateKeyFile: join(SANDBOX_KEYS, 'test-merchant-private.pem'), easypayPublicKey: c.easypay.easypayPublicKeyPem }
          : { baseUrl: sandbox.urls.easypay, mchtCode: c.easypay.mchtCode, privateKey: c.easypay.merchantPrivateKeyPem, easypayPublicKey: c.easypay.easypayPublicKeyPem },
      eftpay: { baseUrl: sandbox.urls.eftpay, userConfirmKey: c.eftpay.userConfirmKey, secretCode: secrets === 'env' ? { env: 'RK_EFTPAY_SECRET' } : c.eftpay.secretCode, currency: 'HKD' },
      lianke: { baseUrl: sandbox.urls.lianke, storeNo: c.lianke.storeNo, operator: c.lianke.operator },
      tipay: { baseUrl: sandbox.urls.tipay, appId: c.tipay.appId, appKey: secrets === 'env' ? { env: 'RK_TIPAY_APP_KEY' } : c.tipay.appKey, merchantNo: c.tipay.merchantNo },
      yima: { baseUrl: sandbox.urls.yima, isspid: c.yima.isspid, systemId: c.yima.systemId, posId: c.yima.posId, storeId: c.yima.storeId },
    };
    for (const [provider, override] of Object.entries(overrides)) providers[provider] = { ...providers[provider], ...override };
    const file = join(dir, name);
    writeFileSync(file, `${JSON.stringify({ providers }, null, 2)}\n`);
    return file;
  }

  const optionArgs = (provider: Provider): string[] =>
    ({ easypay: ['--option', 'payType=AliPayRefund', '--option', 'oriTransDate=20250101'], eftpay: ['--option', 'paymentType=ALIPAYHK'], lianke: [], tipay: [], yima: [] })[provider];

  const rightEnv = (): Record<string, string> => ({ RK_EFTPAY_SECRET: sandbox.credentials.eftpay.secretCode, RK_TIPAY_APP_KEY: sandbox.credentials.tipay.appKey });

  it('refund and status, with and without --json, secrets from the environment or the file: no secret printed', async () => {
    for (const secrets of ['env', 'inline'] as const) {
      const config = writeConfig(`refundkit.${secrets}.json`, secrets);
      const ledger = join(dir, `ledger-${secrets}.db`);
      for (const provider of PROVIDERS) {
        const order = sandbox.addOrder(provider, { orderId: idFor(provider, secrets === 'env' ? 'CLIE' : 'CLII', 1), amount: 10_000 });
        for (const [n, json] of [[1, true], [2, false]] as const) {
          const refundId = idFor(provider, secrets === 'env' ? 'CLIER' : 'CLIIR', n);
          const common = ['--provider', provider, '--order', order.orderId, '--refund-id', refundId, '--config', config, '--ledger', ledger, ...(json ? ['--json'] : [])];
          const refunded = await cli(['refund', ...common, '--amount', '10.00', '--order-amount', '100.00', ...optionArgs(provider), ...(n === 2 ? ['--wait', '--wait-timeout', '15s'] : [])], rightEnv());
          expect([0, 4], `${provider} refund: ${refunded.stderr}`).toContain(refunded.code);
          if (json) expect(JSON.parse(refunded.stdout)).toMatchObject({ provider, refundId, amount: 1000 });
          const status = await cli(['status', ...common], rightEnv());
          expect(status.code, `${provider} status: ${status.stderr}`).toBe(0);
        }
      }
    }
    expect(scanner.leaks(cliRuns.flatMap(texts))).toEqual([]);
  });

  it('wrong secrets the provider refuses, an unusable key file, a missing variable and local refusals: no secret printed', async () => {
    const c = sandbox.credentials;
    const brokenKeyFile = join(dir, 'broken-key.pem');
    const lines = pemBodyLines(c.easypay.merchantPrivateKeyPem);
    writeFileSync(brokenKeyFile, ['-----BEGIN PRIVATE KEY-----', ...lines.slice(0, 8), ...lines.slice(9), '-----END PRIVATE KEY-----', ''].join('\n'));
    const otherKeyFile = join(dir, 'other-key.pem');
    writeFileSync(otherKeyFile, OTHER_PRIVATE_KEY);
    const wrongKey = writeConfig('wrong-key.json', 'env', { easypay: { privateKeyFile: otherKeyFile } });
    const brokenKey = writeConfig('broken-key.json', 'env', { easypay: { privateKeyFile: brokenKeyFile } });
    const config = writeConfig('refundkit.errors.json', 'env');
    const ledger = join(dir, 'ledger-errors.db');
    const wrongEnv = { RK_EFTPAY_SECRET: WRONG_EFTPAY_SECRET, RK_TIPAY_APP_KEY: WRAPPED_SECRET_VALUE };
    const rightEnv = { RK_EFTPAY_SECRET: c.eftpay.secretCode, RK_TIPAY_APP_KEY: c.tipay.appKey };
    const args = (provider: Provider, kind: string, file: string, extra: string[] = []): string[] => {
      const order = sandbox.addOrder(provider, { orderId: idFor(provider, `O${kind}`, 1), amount: 10_000 });
      return ['refund', '--provider', provider, '--order', order.orderId, '--refund-id', idFor(provider, kind, 1), '--amount', '10.00', '--config', file, '--ledger', ledger, ...optionArgs(provider), ...extra];
    };
    const cases: { argv: string[]; env: Record<string, string>; code: number; what: string }[] = [];
    for (const json of [[], ['--json']]) {
      const j = json.length > 0 ? 'J' : 'T';
      cases.push(
        { what: 'tipay, wrong AppKey: refused', argv: args('tipay', `CLIWK${j}`, config, json), env: wrongEnv, code: 2 },
        { what: 'eftpay, wrong secret code: its signed answer cannot be verified', argv: args('eftpay', `CLIWK${j}`, config, json), env: wrongEnv, code: 3 },
        { what: 'easypay, a key that is not the merchant’s: refused', argv: args('easypay', `CLIWK${j}`, wrongKey, json), env: rightEnv, code: 2 },
        { what: 'easypay, a broken key file', argv: args('easypay', `CLIBK${j}`, brokenKey, json), env: rightEnv, code: 1 },
        { what: 'tipay, the variable is not set', argv: args('tipay', `CLINV${j}`, config, json), env: {}, code: 1 },
        { what: 'tipay, over the order', argv: args('tipay', `CLIOV${j}`, config, [...json, '--order-amount', '5.00']), env: rightEnv, code: 1 },
        { what: 'lianke, an option it does not take', argv: args('lianke', `CLIOP${j}`, config, [...json, '--option', `secret=${c.tipay.appKey.slice(0, 4)}`]), env: rightEnv, code: 1 },
      );
    }
    for (const { argv, env, code, what } of cases) {
      const result = await cli(argv, env);
      expect(result.code, `${what}: ${result.stdout}${result.stderr}`).toBe(code);
    }
    expect(scanner.leaks(cliRuns.flatMap(texts))).toEqual([]);
  });
});

const texts = (r: CliRun): { label: string; text: string }[] => [
  { label: `stdout of refundkit ${r.argv.join(' ')}`, text: r.stdout },
  { label: `stderr of refundkit ${r.argv.join(' ')}`, text: r.stderr },
];

it('nothing this suite saw, logged or printed carries a secret', () => {
  expect(seen.errors).toBeGreaterThan(10);
  expect(seen.refunds).toBeGreaterThan(10);
  expect(cliRuns.length).toBeGreaterThan(30);
  const everything = [...seen.texts, ...cliRuns.flatMap(texts), ...logged.map((text, i) => ({ label: `console ${i}`, text }))];
  expect(scanner.leaks(everything)).toEqual([]);
});
