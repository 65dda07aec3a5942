/**
 * Helpers for the CLI's end-to-end tests: `run` in process with captured output, temp dirs,
 * config files from a started sandbox, and the one-JSON-object-on-stdout check.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Sandbox } from '@refundkit/sandbox';
import { expect } from 'vitest';
import { run, type Io } from '../src/main.js';
import { PROVIDER_KEYS } from '@refundkit/registry';

/** The providers, from the registry (generated from the specs): a provider added there is tested here. */
export const PROVIDERS = PROVIDER_KEYS;
export type Provider = (typeof PROVIDERS)[number];

/** The repository root (specs/ lives there). */
export const REPO_ROOT = join(import.meta.dirname, '..', '..', '..');

export interface CliResult {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/**
 * Runs `refundkit argv` in process. `env` is exactly what is given (never `process.env`), so a
 * REFUNDKIT_LEDGER or REFUNDKIT_CONFIG of the shell running the tests cannot leak in.
 */
export async function cli(argv: readonly string[], options: { cwd: string; env?: Record<string, string | undefined> }): Promise<CliResult> {
  let out = '';
  let err = '';
  const io: Io = {
    stdout: { write: (chunk: string) => (out += chunk) },
    stderr: { write: (chunk: string) => (err += chunk) },
    env: options.env ?? {},
    cwd: options.cwd,
  };
  const code = await run(argv, io);
  return { code, out, err };
}

/** A fresh temp dir and its remover (for afterAll). */
export function tempDir(prefix = 'refundkit-cli-'): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Each provider's config for the CLI, from the sandbox's test credentials and URLs. */
export function providerConfigs(sandbox: Sandbox): Record<Provider, Record<string, unknown>> {
  const c = sandbox.credentials;
  return {
    easypay: { baseUrl: sandbox.urls.easypay, mchtCode: c.easypay.mchtCode, privateKey: c.easypay.merchantPrivateKeyPem, easypayPublicKey: c.easypay.easypayPublicKeyPem },
    eftpay: { baseUrl: sandbox.urls.eftpay, userConfirmKey: c.eftpay.userConfirmKey, secretCode: c.eftpay.secretCode, currency: 'HKD' },
    lianke: { baseUrl: sandbox.urls.lianke, storeNo: c.lianke.storeNo, operator: c.lianke.operator },
    tipay: { baseUrl: sandbox.urls.tipay, appId: c.tipay.appId, appKey: c.tipay.appKey, merchantNo: c.tipay.merchantNo },
    yima: { baseUrl: sandbox.urls.yima, isspid: c.yima.isspid, systemId: c.yima.systemId, posId: c.yima.posId, storeId: c.yima.storeId },
  };
}

/** Writes `{ providers, ledger? }` as JSON to `dir/name`; returns the path. */
export function writeConfig(dir: string, name: string, config: { providers: Record<string, unknown>; ledger?: string }): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(config, null, 2));
  return path;
}

/** The `--option`s each provider needs for the sandbox's default orders. */
export const REQUIRED_OPTIONS: Record<Provider, readonly string[]> = {
  easypay: ['--option', 'payType=AliPayRefund', '--option', 'oriTransDate=20250101'],
  eftpay: ['--option', 'paymentType=ALIPAYHK'],
  lianke: [],
  tipay: [],
  yima: [],
};

let counter = 0;

/**
 * A refund id (or order id) every provider accepts: 15 characters (yima wants 13..32, eftpay at
 * most 28), unique in this process and across parallel test files (the file tag).
 */
export function newId(provider: Provider, tag: string): string {
  counter += 1;
  return `${provider.slice(0, 2).toUpperCase()}${tag.slice(0, 3).toUpperCase().padEnd(3, 'X')}${String(counter).padStart(10, '0')}`;
}

/** The unified refund as `--json` prints it. */
export interface RefundJson {
  readonly provider: string;
  readonly orderId: string;
  readonly refundId: string;
  readonly amount: number;
  readonly currency: string;
  readonly status: 'pending' | 'succeeded' | 'failed' | 'unknown';
  readonly providerRefundId?: string;
  readonly failure?: { readonly code: string; readonly message: string };
  readonly createdAt: string;
  readonly updatedAt: string;
}

/**
 * Asserts stdout is exactly one JSON object on one line (nothing else), without `raw`, with the
 * refund's fields; returns it.
 */
export function onlyJson(out: string): RefundJson {
  expect(out.endsWith('\n')).toBe(true);
  const lines = out.slice(0, -1).split('\n');
  expect(lines).toHaveLength(1);
  const value = JSON.parse(lines[0]!) as Record<string, unknown>;
  expect(value).toBeTypeOf('object');
  expect(Array.isArray(value)).toBe(false);
  expect(value).not.toHaveProperty('raw');
  for (const key of ['provider', 'orderId', 'refundId', 'currency', 'status', 'createdAt', 'updatedAt']) expect(value[key], key).toBeTypeOf('string');
  expect(Number.isSafeInteger(value['amount'])).toBe(true);
  return value as unknown as RefundJson;
}

/** One entry of specs/<provider>/examples/examples.yaml. */
export interface ExampleEntry {
  readonly file: string;
  readonly message: string;
  readonly valid: boolean;
  readonly rejects?: string;
}

/**
 * Reads the manifest's entries: `- file:` starts one, and its `message`, `valid` and `rejects`
 * are plain scalars on their own lines (the other keys, some of them folded blocks, are skipped).
 */
export function parseExamples(yaml: string): ExampleEntry[] {
  const entries: Record<string, string>[] = [];
  for (const line of yaml.split('\n')) {
    const start = /^- file:\s*(\S+)\s*$/.exec(line);
    if (start) {
      entries.push({ file: start[1]! });
      continue;
    }
    const field = /^ {2}(message|valid|rejects):\s*(\S+)\s*$/.exec(line);
    if (field && entries.length > 0) entries[entries.length - 1]![field[1]!] = field[2]!;
  }
  return entries.map((e) => {
    if (!e['message'] || (e['valid'] !== 'true' && e['valid'] !== 'false')) throw new Error(`examples.yaml entry ${e['file']} lacks message or valid`);
    return { file: e['file']!, message: e['message'], valid: e['valid'] === 'true', ...(e['rejects'] ? { rejects: e['rejects'] } : {}) };
  });
}
