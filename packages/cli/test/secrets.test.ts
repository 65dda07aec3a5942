/**
 * Secrets are never printed: every command but `demo` and `sandbox` (which prints the sandbox's
 * own test credentials by design), with and without --json, on success and error paths, with
 * secrets inline in the config file and read from io.env. The eftpay secret code, the tipay
 * AppKey, the easypay private key's PEM body and env-provided secrets must appear in no output.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startSandbox, type Sandbox } from '@refundkit/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, newId, providerConfigs, PROVIDERS, REPO_ROOT, REQUIRED_OPTIONS, tempDir, writeConfig, type CliResult, type Provider } from './support.js';

let sandbox: Sandbox;
let tmp: { dir: string; remove: () => void };

/** Env-provided secrets: wrong ones (the sandbox refuses them) and a right one under a variable. */
const ENV = {
  RK_WRONG_TIPAY_APP_KEY: 'env-secret-tipay-WRONG-7f3a9c',
  RK_WRONG_EFTPAY_SECRET: 'env-secret-eftpay-WRONG-51d2e8',
  // EasyPay's own (sandbox) private key, not the merchant's: a valid PEM that signs wrongly.
  RK_WRONG_EASYPAY_KEY: readFileSync(join(REPO_ROOT, 'packages/sandbox/keys/test-easypay-private.pem'), 'utf8'),
  RK_GARBAGE_EASYPAY_KEY: 'env-secret-not-a-pem-0c4b1d',
} as const;

/** Every string that must never be printed. */
function secrets(): string[] {
  const c = sandbox.credentials;
  const pemBodyLines = (pem: string): string[] => pem.split('\n').filter((line) => line.length >= 16 && !line.startsWith('-----'));
  const pemBody = (pem: string): string => pemBodyLines(pem).join('');
  return [
    c.eftpay.secretCode,
    c.tipay.appKey,
    pemBody(c.easypay.merchantPrivateKeyPem),
    ...pemBodyLines(c.easypay.merchantPrivateKeyPem),
    ENV.RK_WRONG_TIPAY_APP_KEY,
    ENV.RK_WRONG_EFTPAY_SECRET,
    ENV.RK_GARBAGE_EASYPAY_KEY,
    pemBody(ENV.RK_WRONG_EASYPAY_KEY),
    ...pemBodyLines(ENV.RK_WRONG_EASYPAY_KEY),
  ];
}

const outputs: { argv: readonly string[]; result: CliResult }[] = [];

async function run(argv: readonly string[], env: Record<string, string> = {}): Promise<CliResult> {
  const result = await cli(argv, { cwd: tmp.dir, env });
  outputs.push({ argv, result });
  return result;
}

function expectNoSecret(result: CliResult, argv: readonly string[]): void {
  for (const secret of secrets()) {
    expect(result.out.includes(secret), `stdout of ${argv.join(' ')} holds a secret`).toBe(false);
    expect(result.err.includes(secret), `stderr of ${argv.join(' ')} holds a secret`).toBe(false);
  }
}

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, delayMs: 0 });
  tmp = tempDir();
  const configs = providerConfigs(sandbox);
  // Inline secrets (the file holds them; the output must not).
  writeConfig(tmp.dir, 'refundkit.config.json', { providers: configs });
  // Secrets from the environment: right ones under variables, and wrong ones.
  writeConfig(tmp.dir, 'env.json', {
    providers: {
      ...configs,
      easypay: { ...configs.easypay, privateKey: { env: 'RK_EASYPAY_KEY' } },
      eftpay: { ...configs.eftpay, secretCode: { env: 'RK_EFTPAY_SECRET' } },
      tipay: { ...configs.tipay, appKey: { env: 'RK_TIPAY_APP_KEY' } },
    },
  });
});

afterAll(async () => {
  await sandbox?.close();
  tmp?.remove();
});

const refundArgs = (provider: Provider, orderId: string, refundId: string, extra: readonly string[] = []): string[] => [
  'refund',
  '--provider',
  provider,
  '--order',
  orderId,
  '--refund-id',
  refundId,
  '--amount',
  '1.00',
  ...REQUIRED_OPTIONS[provider],
  '--ledger',
  'ledger.db',
  ...extra,
];

const newOrder = (provider: Provider): string => sandbox.addOrder(provider, { orderId: newId(provider, 'sec'), amount: 10_000 }).orderId;

describe('secrets are never printed', () => {
  it.each(PROVIDERS)('%s: refund and status, --json and not, inline secrets and env secrets', async (provider) => {
    const right = { RK_EASYPAY_KEY: sandbox.credentials.easypay.merchantPrivateKeyPem, RK_EFTPAY_SECRET: sandbox.credentials.eftpay.secretCode, RK_TIPAY_APP_KEY: sandbox.credentials.tipay.appKey };
    for (const json of [[], ['--json']]) {
      for (const [config, env] of [[[], {}], [['--config', 'env.json'], right]] as const) {
        const orderId = newOrder(provider);
        const refundId = newId(provider, 'sec');
        const refund = await run([...refundArgs(provider, orderId, refundId, json), ...config], env);
        expect([0, 4], refund.err).toContain(refund.code);
        expectNoSecret(refund, refundArgs(provider, orderId, refundId, json));
        const status = await run(['status', '--provider', provider, '--order', orderId, '--refund-id', refundId, '--ledger', 'ledger.db', ...json, ...config], env);
        expect(status.code, status.err).toBe(0);
        expectNoSecret(status, ['status', provider]);
      }
    }
  });

  it('a wrong secret from the environment: the sandbox refuses (tipay failed, eftpay unknown, easypay failed), none printed', async () => {
    const wrong = { RK_TIPAY_APP_KEY: ENV.RK_WRONG_TIPAY_APP_KEY, RK_EFTPAY_SECRET: ENV.RK_WRONG_EFTPAY_SECRET, RK_EASYPAY_KEY: ENV.RK_WRONG_EASYPAY_KEY };
    const expected: Partial<Record<Provider, number>> = { tipay: 2, eftpay: 3, easypay: 2 };
    for (const provider of ['tipay', 'eftpay', 'easypay'] as const) {
      for (const json of [[], ['--json']]) {
        const orderId = newOrder(provider);
        const refundId = newId(provider, 'wrg');
        const argv = [...refundArgs(provider, orderId, refundId, json), '--config', 'env.json'];
        const result = await run(argv, wrong);
        expect(result.code, `${provider}: ${result.out}${result.err}`).toBe(expected[provider]);
        expect(result.out).toMatch(/signature|签名|QT0002/i);
        expectNoSecret(result, argv);
        expect(sandbox.refundedTotal(provider, orderId)).toBe(0);
        const status = await run(['status', '--provider', provider, '--order', orderId, '--refund-id', refundId, '--ledger', 'ledger.db', '--config', 'env.json', ...json], wrong);
        expectNoSecret(status, ['status', provider]);
      }
    }
  });

  it('a missing variable names the variable only', async () => {
    for (const json of [[], ['--json']]) {
      const argv = [...refundArgs('tipay', newOrder('tipay'), newId('tipay', 'mis'), json), '--config', 'env.json'];
      const result = await run(argv, { RK_EASYPAY_KEY: ENV.RK_WRONG_EASYPAY_KEY, RK_EFTPAY_SECRET: ENV.RK_WRONG_EFTPAY_SECRET });
      expect(result.code).toBe(1);
      expect(result.err).toContain('providers.tipay.appKey: environment variable RK_TIPAY_APP_KEY is not set');
      expectNoSecret(result, argv);
    }
  });

  it('local refusals, usage errors, validate and help print no secret either', async () => {
    const orderId = newOrder('eftpay');
    const refundId = newId('eftpay', 'ref');
    await run(refundArgs('eftpay', orderId, refundId));
    const runs: [readonly string[], number][] = [
      [refundArgs('eftpay', orderId, refundId, ['--amount', '2.00']), 1], // conflict
      [refundArgs('eftpay', orderId, newId('eftpay', 'ref'), ['--order-amount', '0.50']), 1], // over-refund
      [refundArgs('easypay', newOrder('easypay'), 'EP', ['--option', 'nope=1']), 1],
      [refundArgs('tipay', newOrder('tipay'), newId('tipay', 'ref'), ['--currency', 'HKD', '--json']), 1],
      [['refund', '--provider', 'eftpay', '--bogus'], 1],
      [['refund', '--help'], 0],
      [['status', '--help'], 0],
      [['--help'], 0],
      [['validate', '--provider', 'eftpay', '--message', 'refund.request', join(REPO_ROOT, 'specs/eftpay/examples/refund.request.json')], 0],
      [['validate', '--provider', 'eftpay', '--message', 'refund.request', join(REPO_ROOT, 'specs/eftpay/examples/refund.request.misspelt-key.json')], 1],
      [['validate', '--provider', 'eftpay', '--message', 'nope', 'x.json'], 1],
    ];
    for (const [argv, code] of runs) {
      const result = await run(argv);
      expect(result.code, `${argv.join(' ')}: ${result.err}`).toBe(code);
      expectNoSecret(result, argv);
    }
  });

  it('over every run of this file, no output held a secret', () => {
    expect(outputs.length).toBeGreaterThan(40);
    for (const { argv, result } of outputs) expectNoSecret(result, argv);
    expect(sandbox.errors()).toEqual([]);
  });
});
