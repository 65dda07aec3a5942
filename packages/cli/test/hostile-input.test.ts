/**
 * Input a careless script or a hostile provider can give the CLI (issue 13, "Input"): control
 * characters in provider text and echoed input are escaped in human output and in `--json`;
 * `{"env": ...}` reads own environment variables only; durations are capped; the config file is
 * checked before it is read. Each refusal exits 1 with nothing sent and no ledger opened.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { ADAPTERS, openSqliteLedger } from '@refundkit/refunds';
import { startSandbox, type Sandbox } from '@refundkit/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_DURATION_MS, parseDuration } from '../src/amounts.js';
import { sandboxCommand } from '../src/commands/sandbox.js';
import { ConfigFileError } from '../src/config-error.js';
import { resolveEnvRefs } from '../src/config.js';
import { jsonLine, printable } from '../src/terminal-text.js';
import { cli, newId, providerConfigs, PROVIDERS, REQUIRED_OPTIONS, tempDir, writeConfig, type CliResult } from './support.js';

/** Every character the CLI must never print raw: C0, DEL, C1, bidi formatting, line separators. */
const UNSAFE_CHARS = ['\u0000', '\u0007', '\b', '\t', '\n', '\r', '\u001b', '\u007f', '\u0085', '\u009b', '\u2028', '\u202a', '\u202e', '\u2066', '\u2069', '\u200f'];
const RAW_UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

describe('printable and jsonLine', () => {
  it('escape every control and bidi character, and leave other text (CJK included) as it is', () => {
    for (const char of UNSAFE_CHARS) {
      const shown = printable(`a${char}b`);
      expect(shown, JSON.stringify(char)).not.toMatch(RAW_UNSAFE);
      expect(shown).not.toContain('\n');
      expect(shown).toMatch(/^a\\(x[0-9a-f]{2}|u[0-9a-f]{4})b$/);
    }
    expect(printable('\u001b[2K\r  status: succeeded')).toBe('\\x1b[2K\\x0d  status: succeeded');
    expect(printable('退款失败: 订单不存在 (ORDER_NOT_FOUND) €')).toBe('退款失败: 订单不存在 (ORDER_NOT_FOUND) €');
  });

  it('jsonLine: one line, no raw DEL, C1 or bidi character, and the same value when parsed', () => {
    const value = { msg: UNSAFE_CHARS.join('x'), id: 'R\u202e1' };
    const line = jsonLine(value);
    expect(line.endsWith('\n')).toBe(true);
    expect(line.slice(0, -1)).not.toMatch(RAW_UNSAFE);
    expect(line.slice(0, -1)).not.toContain('\n');
    expect(JSON.parse(line)).toEqual(value);
    // JSON.stringify alone leaves these raw: the reason jsonLine exists.
    expect(JSON.stringify(value)).toMatch(/[\u009b\u202e]/);
  });
});

describe('a provider message with ANSI escapes cannot draw a fake line', () => {
  const HOSTILE_MSG = '拒绝\u001b[1A\u001b[2K\r\nlianke refund X on order Y: succeeded\u202e';
  let fake: Server;
  let baseUrl: string;
  let tmp: { dir: string; remove: () => void };

  beforeAll(async () => {
    // A fake lianke (no signature) that refuses every refund with a hostile msg.
    fake = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ code: 'FAIL', msg: HOSTILE_MSG, data: null }));
      });
    });
    await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(fake.address() as { port: number }).port}`;
    tmp = tempDir();
    writeConfig(tmp.dir, 'refundkit.config.json', { providers: { lianke: { baseUrl, storeNo: 'STORE-01', operator: 'cashier' } } });
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => fake.close(() => resolve()));
    tmp.remove();
  });

  const refund = (refundId: string, extra: string[] = []): Promise<CliResult> =>
    cli(['refund', '--provider', 'lianke', '--order', 'LK-ORDER-1', '--refund-id', refundId, '--amount', '1.00', '--ledger', 'ledger.db', ...extra], { cwd: tmp.dir });

  it('human output: the failure prints escaped, on its own line; no line says succeeded', async () => {
    const result = await refund('LK-REFUND-ANSI-1');
    expect(result.code).toBe(2);
    expect(result.out).not.toMatch(RAW_UNSAFE);
    const lines = result.out.trimEnd().split('\n');
    expect(lines[0]).toBe('lianke refund LK-REFUND-ANSI-1 on order LK-ORDER-1: failed');
    expect(lines.filter((l) => /^\s*lianke refund/.test(l))).toHaveLength(1);
    expect(result.out).toContain('failure: FAIL: 拒绝\\x1b[1A\\x1b[2K\\x0d\\x0alianke refund X on order Y: succeeded\\u202e');
  });

  it('--json: the message is kept whole, JSON-escaped, with no raw control or bidi character', async () => {
    const result = await refund('LK-REFUND-ANSI-2', ['--json']);
    expect(result.code).toBe(2);
    expect(result.out.slice(0, -1)).not.toMatch(RAW_UNSAFE);
    expect(JSON.parse(result.out).failure).toEqual({ source: 'provider', code: 'FAIL', message: HOSTILE_MSG });
  });

  it('echoed input (an id, a file name in an error) is escaped too', async () => {
    const result = await cli(['refund', '--provider', 'lianke', '--order', 'O', '--refund-id', 'R', '--amount', '1', '--config', 'no\u001b[31mfile\u202e.json'], { cwd: tmp.dir });
    expect(result.code).toBe(1);
    expect(result.err).not.toMatch(RAW_UNSAFE);
    expect(result.err).toContain('no\\x1b[31mfile\\u202e.json');
  });
});

describe('configuration and flags that must be refused with exit 1, nothing sent or reserved', () => {
  let sandbox: Sandbox;
  let tmp: { dir: string; remove: () => void };

  beforeAll(async () => {
    sandbox = await startSandbox();
    tmp = tempDir();
  });
  afterAll(async () => {
    await sandbox.close();
    tmp.remove();
  });

  /** Runs a tipay refund that must be refused before anything is sent or the ledger opened. */
  async function refused(extra: readonly string[], env: Record<string, string | undefined> = {}, reason: RegExp): Promise<CliResult> {
    const refundId = newId('tipay', 'hos');
    const before = sandbox.requests().length;
    const ledger = join(tmp.dir, `${refundId}.db`);
    const result = await cli(['refund', '--provider', 'tipay', '--order', 'TP-PAID-0001', '--refund-id', refundId, '--amount', '1.00', '--ledger', ledger, ...extra], { cwd: tmp.dir, env });
    expect(result.code, result.err).toBe(1);
    expect(result.out).toBe('');
    expect(result.err).toMatch(reason);
    expect(sandbox.requests().length).toBe(before);
    expect(existsSync(ledger)).toBe(false);
    return result;
  }

  it('{"env": NAME} resolves own environment variables only: __proto__, toString, constructor are "not set"', async () => {
    const { appKey: _appKey, ...tipay } = providerConfigs(sandbox).tipay;
    for (const name of ['__proto__', 'toString', 'constructor', 'hasOwnProperty']) {
      writeConfig(tmp.dir, `env-${name}.json`, { providers: { tipay: { ...tipay, appKey: { env: name } } } });
      const result = await refused(['--config', `env-${name}.json`], {}, new RegExp(`^refundkit: providers\\.tipay\\.appKey: environment variable ${name} is not set$`, 'm'));
      expect(result.err).not.toMatch(/function|\[object/);
    }
  });

  it('resolveEnvRefs: a typed ConfigFileError naming the setting, never the value; non-strings and bad names refused', () => {
    const env = Object.assign(Object.create({ INHERITED: 'from-the-prototype' }) as Record<string, string>, { EMPTY: '', SET: 'v' });
    const attempt = (value: unknown): ConfigFileError => {
      try {
        resolveEnvRefs({ providers: { tipay: { appKey: value } } }, env);
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigFileError);
        return error as ConfigFileError;
      }
      throw new Error('not refused');
    };
    expect(attempt({ env: 'INHERITED' }).message).toBe('providers.tipay.appKey: environment variable INHERITED is not set');
    expect(attempt({ env: 'EMPTY' }).message).toBe('providers.tipay.appKey: environment variable EMPTY is set but empty');
    expect(attempt({ env: 42 }).path).toBe('providers.tipay.appKey');
    expect(attempt({ env: 'A=B' }).message).toMatch(/takes the name of an environment variable/);
    expect(resolveEnvRefs({ appKey: { env: 'SET' } }, env)).toEqual({ appKey: 'v' });
    expect(attempt({ env: 'INHERITED' }).message).not.toContain('from-the-prototype');
  });

  it('a config nested deeper than any real one is refused, not a stack overflow', () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 10_000; i++) deep = [deep];
    expect(() => resolveEnvRefs({ providers: { tipay: { deep } } }, {})).toThrow(ConfigFileError);
  });

  it('durations: at most 1 hour (Node timers overflow past 2^31-1 ms and fire at once)', async () => {
    expect(parseDuration('--timeout', '60m')).toBe(MAX_DURATION_MS);
    expect(parseDuration('--timeout', '3600000ms')).toBe(MAX_DURATION_MS);
    expect(() => parseDuration('--timeout', '3601s')).toThrow(/--timeout "3601s": at most 1 hour/);
    writeConfig(tmp.dir, 'refundkit.config.json', { providers: { tipay: providerConfigs(sandbox).tipay } });
    await refused(['--timeout', '3000000s'], {}, /^refundkit: --timeout "3000000s": at most 1 hour/m);
    await refused(['--timeout', '99999999999999999999999ms'], {}, /--timeout .*: at most 1 hour/);
    await refused(['--wait', '--wait-timeout', '61m'], {}, /^refundkit: --wait-timeout "61m": at most 1 hour/m);
    const status = await cli(['status', '--provider', 'tipay', '--order', 'O', '--refund-id', 'R', '--timeout', '2147483648ms'], { cwd: tmp.dir });
    expect(status.code).toBe(1);
    expect(status.err).toMatch(/at most 1 hour/);
  });

  it('the sandbox command refuses a --delay-ms above 10 minutes', async () => {
    let err = '';
    const code = await sandboxCommand(['--port', '0', '--delay-ms', '3000000000'], { stdout: { write: () => true }, stderr: { write: (c: string) => (err += c) } });
    expect(code).toBe(1);
    expect(err).toMatch(/--delay-ms a whole number of ms up to 600000/);
  });

  it('--config that is not a regular file (a device, a directory, a FIFO) is refused before it is read', async () => {
    await refused(['--config', '/dev/zero'], {}, /^refundkit: cannot read config \/dev\/zero: not a regular file$/m);
    const folder = join(tmp.dir, 'a-folder');
    mkdirSync(folder);
    await refused(['--config', folder], {}, /not a regular file/);
    // Opening a FIFO with no writer blocks forever: it must never be opened.
    const fifo = join(tmp.dir, 'config.fifo');
    execFileSync('mkfifo', [fifo]);
    await refused(['--config', fifo], {}, /cannot read config .*config\.fifo: not a regular file/);
  });

  it('--config larger than 1 MiB is refused, quoting none of it', async () => {
    const big = join(tmp.dir, 'big.json');
    writeFileSync(big, JSON.stringify({ providers: { tipay: providerConfigs(sandbox).tipay }, pad: 's3cr3t'.repeat(200_000) }));
    const result = await refused(['--config', big], {}, /cannot read config .*big\.json: larger than 1048576 bytes/);
    expect(result.err).not.toContain('s3cr3t');
  });

  it('validate refuses a FILE that is not a regular file the same way', async () => {
    const result = await cli(['validate', '--provider', 'tipay', '--message', 'refund.request', '/dev/zero'], { cwd: tmp.dir });
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/cannot read \/dev\/zero: not a regular file/);
  });
});

describe('refundkit sandbox --host beyond loopback', () => {
  it('prints a clear warning on stderr', async () => {
    let err = '';
    let stop!: () => void;
    const stopped = new Promise<void>((resolve) => (stop = resolve));
    const done = sandboxCommand(['--port', '0', '--host', '0.0.0.0', '--json'], { stdout: { write: () => true }, stderr: { write: (c: string) => (err += c) } }, { stop: stopped, onReady: () => stop() });
    expect(await done).toBe(0);
    expect(err).toMatch(/^refundkit sandbox: warning: the sandbox listens on 0\.0\.0\.0:\d+, beyond loopback/m);
    expect(err).toMatch(/control endpoint \(\/__sandbox\) still answers only requests addressed to 127\.0\.0\.1:\d+/);
  });
});

describe('refund and order ids that are not printable, bounded text: exit 1, nothing sent or reserved', () => {
  let sandbox: Sandbox;
  let tmp: { dir: string; remove: () => void };
  beforeAll(async () => {
    sandbox = await startSandbox();
    tmp = tempDir();
    writeConfig(tmp.dir, 'refundkit.config.json', { providers: providerConfigs(sandbox) });
  });
  afterAll(async () => {
    await sandbox.close();
    tmp.remove();
  });

  const BAD_IDS = ['ID-0000000001\nX', 'ID-0000000001\rX', 'ID-0000000001\u0001X', 'ID-0000000001\u202eX', 'I'.repeat(1000)];

  it.each(PROVIDERS)('%s', async (provider) => {
    const ledgerFile = join(tmp.dir, `${provider}.db`);
    const order = sandbox.orders(provider)[0]!.orderId;
    for (const bad of BAD_IDS) {
      for (const [refundId, orderId] of [[bad, order], [newId(provider, 'ids'), bad]] as const) {
        const before = sandbox.requests().length;
        const result = await cli(['refund', '--provider', provider, '--order', orderId, '--refund-id', refundId, '--amount', '1.00', ...REQUIRED_OPTIONS[provider], '--ledger', ledgerFile], { cwd: tmp.dir });
        expect(result.code, `${JSON.stringify(refundId)} / ${JSON.stringify(orderId)}: ${result.err}`).toBe(1);
        expect(result.out).toBe('');
        expect(result.err).toMatch(/refundkit: .*is invalid: (refundId|orderId) /);
        expect(result.err).not.toMatch(RAW_UNSAFE);
        expect(sandbox.requests().length).toBe(before);
        const ledger = await openSqliteLedger(ledgerFile);
        try {
          const account = (ADAPTERS[provider].accountOf as (config: unknown) => string)(providerConfigs(sandbox)[provider]);
          expect(await ledger.get({ provider, account, refundId })).toBeUndefined();
        } finally {
          await ledger.close();
        }
      }
    }
  });
});
