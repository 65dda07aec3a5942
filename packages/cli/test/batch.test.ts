/**
 * `refundkit batch FILE` in process against the sandbox: CSV (with a BOM) and JSON Lines, a bad
 * file that sends nothing, a rerun that sends nothing new, the report, --json, --dry-run, the exit
 * codes by the worst status present.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '@refundkit/sandbox';
import { batchExitCode } from '../src/batch/report.js';
import { cli, PROVIDERS, providerConfigs, tempDir, writeConfig } from './support.js';

let sandbox: Sandbox;
const temp = tempDir('refundkit-cli-batch-');
let config: string;
beforeAll(async () => {
  sandbox = await startSandbox({ seed: false });
  config = writeConfig(temp.dir, 'refundkit.config.json', { providers: providerConfigs(sandbox) });
});
afterAll(async () => {
  await sandbox.close();
  temp.remove();
});

const OPTION_COLUMNS: Record<string, Record<string, string>> = { easypay: { 'option.payType': 'AliPayRefund', 'option.oriTransDate': '20250101' }, eftpay: { 'option.paymentType': 'ALIPAYHK' } };
let n = 0;
/** `per` rows per provider on fresh sandbox orders of 100.00, each refunding 1.50. */
function rowsFor(per: number): Record<string, string>[] {
  const tag = `${Date.now().toString(36).toUpperCase()}${(n++).toString(36).toUpperCase()}`;
  return PROVIDERS.flatMap((provider) =>
    Array.from({ length: per }, (_, i) => {
      const order = `${provider.slice(0, 2).toUpperCase()}B${tag}${String(i).padStart(4, '0')}`;
      sandbox.addOrder(provider, { orderId: order, amount: 10_000, ...(provider === 'eftpay' ? { paymentType: 'ALIPAYHK', currency: 'HKD' } : {}), ...(provider === 'easypay' ? { date: '20250101' } : {}) } as never);
      return { provider, order, refund_id: `${provider.slice(0, 2).toUpperCase()}F${tag}${String(i).padStart(4, '0')}`, amount: '1.50', order_amount: '100.00', 'option.payType': '', 'option.oriTransDate': '', 'option.paymentType': '', ...OPTION_COLUMNS[provider] };
    }),
  );
}
const COLUMNS = ['provider', 'order', 'refund_id', 'amount', 'order_amount', 'option.payType', 'option.oriTransDate', 'option.paymentType'];
const csv = (rows: Record<string, string>[]): string => `\uFEFF${COLUMNS.join(',')}\n${rows.map((r) => COLUMNS.map((c) => r[c] ?? '').join(',')).join('\n')}\n`;
const write = (name: string, text: string): string => (writeFileSync(join(temp.dir, name), text), name);

describe('refundkit batch', () => {
  it('refunds every row of a CSV file once; the report says each row; the same file again sends nothing', async () => {
    const rows = rowsFor(4);
    const file = write('run1.csv', csv(rows));
    const ledger = join(temp.dir, 'run1.db');
    const first = await cli(['batch', file, '--config', config, '--ledger', ledger, '--report', 'run1-report.csv'], { cwd: temp.dir });
    expect(first.err).not.toMatch(/nothing was sent/);
    expect([0, 4]).toContain(first.code);
    expect(first.out).toMatch(/^batch run1-[0-9a-f]{10}: 20 rows/);
    expect(first.out).toMatch(/\nall\s+20\s/);
    for (const row of rows) expect(sandbox.requestsReceived(row.provider as never, row.refund_id!)).toBe(1);
    const report = readFileSync(join(temp.dir, 'run1-report.csv'), 'utf8').trim().split('\n');
    expect(report[0]).toBe('line,provider,account,order,refund_id,amount_minor,currency,plan,status,provider_refund_id,failure_source,failure_code,failure_message,ms');
    expect(report).toHaveLength(21);
    expect(report[1]).toMatch(/^2,easypay,[^,]+,EAB[^,]+,EAF[^,]+,150,CNY,new,(succeeded|pending),/);

    const before = sandbox.requests().filter((r) => r.operation === 'refund').length;
    const again = await cli(['batch', file, '--config', config, '--ledger', ledger, '--json'], { cwd: temp.dir });
    expect(sandbox.requests().filter((r) => r.operation === 'refund').length).toBe(before);
    const lines = again.out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.filter((l) => l['type'] === 'row')).toHaveLength(20);
    const summary = lines.at(-1)!;
    expect(summary).toMatchObject({ type: 'summary', counts: { total: 20, succeeded: 20 }, exit: 0 });
    expect(again.code).toBe(0);
  });

  it('reads JSON Lines; a file with one bad row sends nothing and names the line and rule (exit 1)', async () => {
    const rows = rowsFor(2);
    const bad = rows.map((r, i) => (i === 6 ? { ...r, amount: '1.505' } : r));
    const file = write('bad.jsonl', bad.map((r) => JSON.stringify(r)).join('\n'));
    const before = sandbox.requests().length;
    const result = await cli(['batch', file, '--config', config, '--ledger', join(temp.dir, 'bad.db')], { cwd: temp.dir });
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/bad\.jsonl: 1 bad row; nothing was sent/);
    expect(result.err).toMatch(/line 7: amount_invalid \(amount\)/);
    expect(result.err).toMatch(/refundkit: nothing was sent; fix the rows the message names/);
    expect(sandbox.requests().length).toBe(before);

    const good = write('good.jsonl', rows.map((r) => JSON.stringify(r)).join('\n'));
    const dry = await cli(['batch', good, '--config', config, '--ledger', join(temp.dir, 'bad.db'), '--dry-run'], { cwd: temp.dir });
    expect(dry.code).toBe(0);
    expect(dry.out).toMatch(/dry run: nothing was reserved or sent/);
    expect(dry.out).toMatch(/tipay [^:]+: new 2, done 0/);
    expect(sandbox.requests().length).toBe(before);
  });

  it('an unknown column, a duplicate refund id and an over-refund are refused before anything is sent', async () => {
    const rows = rowsFor(1);
    const before = sandbox.requests().length;
    const unknown = write('unknown.csv', `provider,order,refund_id,amount,colour\ntipay,O1,R1,1.00,red\n`);
    const u = await cli(['batch', unknown, '--config', config, '--ledger', join(temp.dir, 'u.db')], { cwd: temp.dir });
    expect(u.code).toBe(1);
    expect(u.err).toMatch(/line 2: unknown_column \(colour\)/);
    const dup = write('dup.csv', csv([...rows, rows[0]!, { ...rows[1]!, refund_id: `${rows[1]!.refund_id}X`, amount: '99.00' }]));
    const d = await cli(['batch', dup, '--config', config, '--ledger', join(temp.dir, 'd.db')], { cwd: temp.dir });
    expect(d.code).toBe(1);
    expect(d.err).toMatch(/line 7: duplicate_refund_id/);
    const over = write('over.csv', csv([...rows, { ...rows[1]!, refund_id: `${rows[1]!.refund_id}X`, amount: '99.00' }]));
    const o = await cli(['batch', over, '--config', config, '--ledger', join(temp.dir, 'o.db')], { cwd: temp.dir });
    expect(o.code).toBe(1);
    expect(o.err).toMatch(/line 7: over_refund \(amount\)/);
    expect(sandbox.requests().length).toBe(before);
  });

  it('exits by the worst status present: unknown over failed over pending', () => {
    const counts = { total: 4, done: 4, succeeded: 1, pending: 0, failed: 0, unknown: 0, notStarted: 0 };
    expect(batchExitCode(counts)).toBe(0);
    expect(batchExitCode({ ...counts, pending: 1 })).toBe(4);
    expect(batchExitCode({ ...counts, pending: 1, failed: 1 })).toBe(2);
    expect(batchExitCode({ ...counts, pending: 1, failed: 1, unknown: 1 })).toBe(3);
    expect(batchExitCode({ ...counts, notStarted: 1 })).toBe(4);
  });
});
