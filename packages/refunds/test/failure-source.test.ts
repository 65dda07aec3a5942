/**
 * `failure.source` (issue 14): every failure says whether its code is the provider's, the
 * transport's or refundkit's own, with the provider's code beside a local one. SQL ledgers keep no
 * extra column: the source is derived from the code on read, and a local code's provider code
 * rides in `failure_code` as `<code>:<providerCode>` — so every store round-trips it.
 */
import { readdirSync, readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { FAILURE_CODES, failureSourceOf, openSqliteLedger, type Refund } from '../src/index.js';
import { decodeFailure, encodeFailureCode } from '../src/failure.js';
import { refundParams, REFUND_COLUMNS, toRefund, type RefundRow } from '../src/ledger/rows.js';

const dir = mkdtempSync(join(tmpdir(), 'refundkit-failure-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const refund: Refund = {
  provider: 'tipay', account: '10012426723', orderId: 'o-1', refundId: 'r-1', amount: 100, currency: 'CNY', status: 'unknown',
  failure: { source: 'local', code: 'refused_resubmission', providerCode: '40001', message: 'duplicate' },
  attempts: 2, providerMayKnow: true, createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z',
};

const throughRow = (value: Refund): Refund => {
  const params = refundParams(value);
  return toRefund(Object.fromEntries(REFUND_COLUMNS.map((column, i) => [column, params[i]])) as unknown as RefundRow);
};

describe('failure.source', () => {
  it('is derived from the code: refundkit’s codes say transport or local, any other code is the provider’s', () => {
    expect(failureSourceOf('timeout')).toBe('transport');
    expect(failureSourceOf('http_status')).toBe('transport');
    expect(failureSourceOf('signature_invalid')).toBe('local');
    expect(failureSourceOf('40101')).toBe('provider');
    expect(failureSourceOf('REFUNDFAILED')).toBe('provider');
  });

  it('round-trips through a SQL row, providerCode included, and a provider code with a colon stays whole', () => {
    expect(throughRow(refund).failure).toEqual(refund.failure);
    const provider = { ...refund, failure: { source: 'provider' as const, code: 'E:1', message: 'odd' } };
    expect(throughRow(provider).failure).toEqual(provider.failure);
    expect(encodeFailureCode(refund.failure!)).toBe('refused_resubmission:40001');
    // A row written before `source` existed reads with its source.
    expect(decodeFailure('timeout', 'no response within 30000 ms')).toEqual({ source: 'transport', code: 'timeout', message: 'no response within 30000 ms' });
  });

  it('round-trips through a SQLite ledger file', async () => {
    const file = join(dir, 'ledger.db');
    const ledger = await openSqliteLedger(file);
    const key = { provider: 'tipay' as const, account: 'A', orderId: 'o-1', refundId: 'r-1' };
    const reserved = await ledger.reserve({ key, amount: 100, currency: 'CNY', lease: { holder: 'h', ttlMs: 60_000 } });
    if (reserved.outcome !== 'new') throw new Error(reserved.outcome);
    await ledger.update(key, { source: 'refund', status: 'unknown', failure: { code: 'refused_resubmission', providerCode: '40001', message: 'duplicate' }, lease: reserved.lease });
    await ledger.close();
    const reopened = await openSqliteLedger(file);
    expect((await reopened.get(key))?.failure).toEqual({ source: 'local', code: 'refused_resubmission', providerCode: '40001', message: 'duplicate' });
    expect((await reopened.history(key)).at(-1)?.failure).toEqual({ source: 'local', code: 'refused_resubmission', providerCode: '40001', message: 'duplicate' });
    await reopened.close();
  });
});

describe('one table of codes', () => {
  const root = fileURLToPath(new URL('../../../', import.meta.url));
  const sources = (folder: string): string[] =>
    readdirSync(join(root, folder), { recursive: true, encoding: 'utf8' })
      .filter((name) => name.endsWith('.ts'))
      .map((name) => readFileSync(join(root, folder, name), 'utf8'));
  const all = ['packages/runtime/src', 'packages/refunds/src', ...readdirSync(join(root, 'generated')).map((p) => `generated/${p}/src`)].flatMap(sources).join('\n');
  const raised = new Set([...all.matchAll(/(?:super|RefundkitError)\(\s*'([a-z_]+)'/g), ...all.matchAll(/\bcode: '([a-z_]+)'/g)].map((m) => m[1]!));
  const readme = readFileSync(join(root, 'packages/refunds/README.md'), 'utf8');
  const documented = new Set([...readme.matchAll(/^\| `([a-z_]+)` \|/gm)].map((m) => m[1]!));

  it('finds the codes the packages raise (the scan works)', () => {
    expect(raised).toContain('timeout');
    expect(raised).toContain('over_refund');
    expect(raised).toContain('in_flight');
  });

  it('documents every code the packages raise in the refunds README’s table', () => {
    expect([...raised].filter((code) => !documented.has(code))).toEqual([]);
  });

  it('lists every failure code refundkit writes in FAILURE_CODES, and each is documented', () => {
    for (const code of Object.keys(FAILURE_CODES)) expect(documented).toContain(code);
  });
});

describe('the error classes a caller meets', () => {
  it('are all exported from @refundkit/refunds, each a RefundkitError', async () => {
    const index = (await import('../src/index.js')) as Record<string, unknown>;
    const names = ['ValidationError', 'ConfigError', 'OverRefundError', 'ConflictError', 'NotFoundError', 'AbortedError', 'TimeoutError', 'ConnectionError', 'HttpStatusError', 'ResponseError', 'SignatureError', 'AnswerMismatchError', 'SqliteUnavailableError', 'AmountError'];
    for (const name of names) {
      const value = index[name] as { prototype: unknown } | undefined;
      expect(typeof value, name).toBe('function');
      expect(value!.prototype instanceof (index['RefundkitError'] as typeof Error), name).toBe(true);
    }
  });
});
