/**
 * The shipped bin (`bin/refundkit.js` over the built dist/) as a real process: the exit code
 * reaches the shell, a second process replays a refund from the shared SQLite ledger, and an
 * error `run` does not turn into an exit code itself is still exit 1 without secrets.
 * Requires a build (`npx turbo run build --filter=@refundkit/cli...`).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { startSandbox, type Sandbox } from '@refundkit/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, newId, onlyJson, providerConfigs, REPO_ROOT, tempDir, writeConfig } from './support.js';

const BIN = join(REPO_ROOT, 'packages/cli/bin/refundkit.js');

interface Exited {
  readonly code: number | null;
  readonly out: string;
  readonly err: string;
}

/** Spawns `node bin/refundkit.js args` (asynchronously: the sandbox in this process must keep answering). */
function refundkit(args: readonly string[], options: { cwd: string; env?: Record<string, string> }): Promise<Exited> {
  // The parent's REFUNDKIT_* settings must not leak into the child.
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('REFUNDKIT_'))) as Record<string, string>;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: options.cwd, env: { ...env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

let sandbox: Sandbox;
let tmp: { dir: string; remove: () => void };

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, delayMs: 0 });
  tmp = tempDir();
  const configs = providerConfigs(sandbox);
  writeConfig(tmp.dir, 'refundkit.config.json', { providers: { ...configs, easypay: { ...configs.easypay, privateKey: { env: 'RK_BIN_EASYPAY_KEY' } } } });
});

afterAll(async () => {
  await sandbox?.close();
  tmp?.remove();
});

describe('the refundkit bin, as a process', () => {
  it('validate: exit 0 for a valid message, 1 with the failing field for an invalid one', async () => {
    const valid = await refundkit(['validate', '--provider', 'yima', '--message', 'refund.request', 'specs/yima/examples/refund.request.xml'], { cwd: REPO_ROOT });
    expect(valid.code, valid.err).toBe(0);
    expect(valid.out).toBe('specs/yima/examples/refund.request.xml: valid yima refund.request\n');
    const invalid = await refundkit(['validate', '--provider', 'eftpay', '--message', 'refund.request', 'specs/eftpay/examples/refund.request.amount-three-decimals.json'], { cwd: REPO_ROOT });
    expect(invalid.code).toBe(1);
    expect(invalid.out).toMatch(/^ {2}transaction_amount: /m);
  });

  it('refund: the exit code is the status (4 pending), and a second process replays it from the shared SQLite ledger (0, no second request)', async () => {
    const orderId = sandbox.addOrder('tipay', { orderId: newId('tipay', 'bin'), amount: 5000 }).orderId;
    const refundId = newId('tipay', 'bin');
    const args = ['refund', '--provider', 'tipay', '--order', orderId, '--refund-id', refundId, '--amount', '12.34', '--json'];
    // First in process, then the same command as a separate process: both use ./.refundkit/ledger.db.
    const first = await cli(args, { cwd: tmp.dir });
    expect(first.code).toBe(4);
    const second = await refundkit(args, { cwd: tmp.dir });
    expect(second.code, second.err).toBe(0);
    expect(onlyJson(second.out)).toMatchObject({ refundId, status: 'succeeded', amount: 1234, createdAt: onlyJson(first.out).createdAt });
    expect(second.err).toBe(`refundkit: ledger ${join(tmp.dir, '.refundkit', 'ledger.db')}\n`);
    expect(sandbox.requestsReceived('tipay', refundId)).toBe(1);
    expect(sandbox.refundedTotal('tipay', orderId)).toBe(1234);
  });

  it('a key that is not a PEM (from the environment): exit 1, the reason on stderr, the value never printed', async () => {
    const garbage = 'rk-bin-garbage-key-value-93ab1f';
    const refundId = newId('easypay', 'bin');
    const result = await refundkit(
      ['refund', '--provider', 'easypay', '--order', 'EP-PAID-0001', '--refund-id', refundId, '--amount', '1', '--option', 'payType=AliPayRefund', '--option', 'oriTransDate=20250101', '--json'],
      { cwd: tmp.dir, env: { RK_BIN_EASYPAY_KEY: garbage } },
    );
    expect(result.code).toBe(1);
    expect(result.out).toBe('');
    expect(result.err).toMatch(/^refundkit: .*private key/m);
    expect(result.err).not.toContain(garbage);
    expect(sandbox.requestsReceived('easypay', refundId)).toBe(0);
  });
});
