/**
 * Shared by test/batch: a sandbox with fresh orders, batch files over all five providers, the
 * `refundkit` bin spawned as a real process (so SIGINT, SIGKILL and a terminal are real), and
 * PostgreSQL schemas of their own per test (dropped afterwards), so parallel runs never collide.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { Sandbox } from '@refundkit/sandbox';
import { PROVIDER_KEYS } from '@refundkit/registry';

export const PROVIDERS = PROVIDER_KEYS;
export type Provider = (typeof PROVIDERS)[number];
export const BIN = join(import.meta.dirname, '..', '..', 'packages', 'cli', 'bin', 'refundkit.js');
export const PG_URL = process.env['REFUNDKIT_TEST_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

const OPTIONS: Record<Provider, Record<string, string>> = { easypay: { payType: 'AliPayRefund', oriTransDate: '20250101' }, eftpay: { paymentType: 'ALIPAYHK' }, lianke: {}, tipay: {}, yima: {} };

export interface Row {
  readonly provider: Provider;
  readonly order: string;
  readonly refundId: string;
  /** Minor units. */
  readonly amount: number;
}

/** A temp dir and its remover. */
export function tempDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'refundkit-batch-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The config file for the sandbox's five providers, with a `batch` block. */
export function writeConfig(dir: string, sandbox: Sandbox, batch: unknown): string {
  const c = sandbox.credentials;
  const providers = {
    easypay: { baseUrl: sandbox.urls.easypay, mchtCode: c.easypay.mchtCode, privateKey: c.easypay.merchantPrivateKeyPem, easypayPublicKey: c.easypay.easypayPublicKeyPem },
    eftpay: { baseUrl: sandbox.urls.eftpay, userConfirmKey: c.eftpay.userConfirmKey, secretCode: c.eftpay.secretCode, currency: 'HKD' },
    lianke: { baseUrl: sandbox.urls.lianke, storeNo: c.lianke.storeNo, operator: c.lianke.operator },
    tipay: { baseUrl: sandbox.urls.tipay, appId: c.tipay.appId, appKey: c.tipay.appKey, merchantNo: c.tipay.merchantNo },
    yima: { baseUrl: sandbox.urls.yima, isspid: c.yima.isspid, systemId: c.yima.systemId, posId: c.yima.posId, storeId: c.yima.storeId },
  };
  const path = join(dir, 'refundkit.config.json');
  writeFileSync(path, JSON.stringify({ providers, batch }));
  return path;
}

let files = 0;
/**
 * `count` rows spread evenly over the five providers, each on a fresh sandbox order of 100.00
 * refunding 1.00–1.99; ids every provider accepts (yima 13–32 characters, eftpay at most 28).
 */
export function makeRows(sandbox: Sandbox, count: number): Row[] {
  const tag = `${randomBytes(3).toString('hex').toUpperCase()}${(files++).toString(36).toUpperCase()}`;
  return Array.from({ length: count }, (_, i) => {
    const provider = PROVIDERS[i % PROVIDERS.length]!;
    const order = `${provider.slice(0, 2).toUpperCase()}O${tag}${String(i).padStart(6, '0')}`;
    sandbox.addOrder(provider, { orderId: order, amount: 10_000, ...(provider === 'eftpay' ? { paymentType: 'ALIPAYHK', currency: 'HKD' } : {}), ...(provider === 'easypay' ? { date: '20250101' } : {}) } as never);
    return { provider, order, refundId: `${provider.slice(0, 2).toUpperCase()}R${tag}${String(i).padStart(6, '0')}`, amount: 100 + (i % 100) };
  });
}

/** Rows as a CSV file (a BOM, a header, option.<key> columns). */
export function writeCsv(dir: string, name: string, rows: readonly Row[]): string {
  const columns = ['provider', 'order', 'refund_id', 'amount', 'order_amount', 'option.payType', 'option.oriTransDate', 'option.paymentType'];
  const lines = rows.map((r) => {
    const o = OPTIONS[r.provider] ?? {};
    return [r.provider, r.order, r.refundId, (r.amount / 100).toFixed(2), '100.00', o['payType'] ?? '', o['oriTransDate'] ?? '', o['paymentType'] ?? ''].join(',');
  });
  const path = join(dir, name);
  writeFileSync(path, `\uFEFF${columns.join(',')}\n${lines.join('\n')}\n`);
  return path;
}

export interface Spawned {
  readonly child: ChildProcess;
  out: string;
  err: string;
  readonly exited: Promise<number | null>;
}

/** Spawns `refundkit args` in `cwd`; collects its output. */
export function spawnCli(args: readonly string[], cwd: string, env: Record<string, string> = {}): Spawned {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { PATH: process.env['PATH'] ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const spawned: Spawned = {
    child,
    out: '',
    err: '',
    exited: new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? -1 : null)))),
  };
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (spawned.out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (spawned.err += d));
  return spawned;
}

/** Waits until `check` holds (polling), at most `ms`. */
export async function until(check: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A ledger URL in a schema of its own (migrated), and the way to drop it and its queue's schema. */
export async function freshLedger(): Promise<{ url: string; schema: string; drop: () => Promise<void>; pool: pg.Pool }> {
  const schema = `batch_test_${randomBytes(5).toString('hex')}`;
  const pool = new pg.Pool({ connectionString: PG_URL, max: 3 });
  const url = `${PG_URL}${PG_URL.includes('?') ? '&' : '?'}schema=${schema}`;
  const { migratePostgresLedger } = await import('@refundkit/refunds');
  await migratePostgresLedger({ connectionString: PG_URL }, { schema });
  return {
    url,
    schema,
    pool,
    drop: async () => {
      await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE; DROP SCHEMA IF EXISTS "${schema}_queue" CASCADE`);
      await pool.end();
    },
  };
}

/** Every refund request the sandbox received for these rows, per refund id. */
export function refundRequests(sandbox: Sandbox, rows: readonly Row[]): Map<string, number> {
  const ids = new Set(rows.map((r) => r.refundId));
  const counts = new Map<string, number>();
  for (const r of sandbox.requests()) if (r.operation === 'refund' && r.refundNo !== undefined && ids.has(r.refundNo) && r.outcome === 'answered') counts.set(r.refundNo, (counts.get(r.refundNo) ?? 0) + 1);
  return counts;
}

/** The sandbox's own books: every row refunded exactly once, for its amount (never twice, whatever was resent). */
export function refundedOnce(sandbox: Sandbox, rows: readonly Row[]): { wrong: string[] } {
  const wrong: string[] = [];
  for (const row of rows) {
    const refunds = sandbox.refunds(row.provider, row.order);
    const total = sandbox.refundedTotal(row.provider, row.order);
    if (refunds.length !== 1 || total !== row.amount) wrong.push(`${row.provider} ${row.refundId}: ${refunds.length} refunds, ${total} refunded`);
  }
  return { wrong };
}
