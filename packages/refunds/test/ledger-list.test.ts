import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RefundLedger } from '../src/ledger/ledger.js';
import { toListQuery, type RefundListFilter } from '../src/ledger/list-query.js';
import { STORES } from './ledger-stores.js';

/** `list`, every store: the same refunds, in the same order, paged by the same cursor. */
describe.each(STORES)('ledger list: %s', (_name, open) => {
  let ledger: RefundLedger;
  let advance: (ms: number) => void;
  beforeEach(async () => {
    ({ ledger, advance } = await open());
  });
  afterEach(() => ledger.close());

  const reserve = async (provider: 'tipay' | 'easypay', account: string, orderId: string, refundId: string, amount = 100) => {
    const r = await ledger.reserve({ key: { provider, account, orderId, refundId }, amount, currency: 'CNY', lease: { holder: `h-${refundId}`, ttlMs: 60_000 } });
    return r;
  };
  const ids = async (filter: RefundListFilter) => (await ledger.list(toListQuery(filter))).refunds.map((r) => r.refundId);

  /** Six refunds a minute apart (r1 oldest), two at the same instant (r5, r6): statuses and accounts mixed. */
  async function seed(): Promise<void> {
    await reserve('tipay', 'M1', 'o1', 'r1');
    advance(60_000);
    const r2 = await reserve('tipay', 'M1', 'o1', 'r2');
    await ledger.update({ provider: 'tipay', account: 'M1', refundId: 'r2' }, { source: 'refund', status: 'succeeded', lease: 'lease' in r2 ? r2.lease : undefined });
    advance(60_000);
    const r3 = await reserve('tipay', 'M2', 'o2', 'r3');
    await ledger.update({ provider: 'tipay', account: 'M2', refundId: 'r3' }, { source: 'refund', status: 'pending', lease: 'lease' in r3 ? r3.lease : undefined });
    advance(60_000);
    await reserve('easypay', 'E1', 'o3', 'r4');
    advance(60_000);
    await reserve('easypay', 'E1', 'o4', 'r5');
    await reserve('easypay', 'E1', 'o4', 'r6');
  }

  it('lists newest first, ties by refund id descending, and filters by provider, account, status, order and time', async () => {
    expect(await ids({})).toEqual([]);
    await seed();
    expect(await ids({})).toEqual(['r6', 'r5', 'r4', 'r3', 'r2', 'r1']);
    expect(await ids({ provider: 'tipay' })).toEqual(['r3', 'r2', 'r1']);
    expect(await ids({ account: 'M2' })).toEqual(['r3']);
    expect(await ids({ status: 'succeeded' })).toEqual(['r2']);
    expect(await ids({ status: ['pending', 'succeeded'] })).toEqual(['r3', 'r2']);
    expect(await ids({ orderId: 'o1' })).toEqual(['r2', 'r1']);
    const start = Date.UTC(2025, 0, 1);
    expect(await ids({ createdFrom: new Date(start + 60_000), createdBefore: new Date(start + 180_000).toISOString() })).toEqual(['r3', 'r2']);
    const [first] = (await ledger.list(toListQuery({ orderId: 'o1' }))).refunds;
    expect(first).toEqual(await ledger.get({ provider: 'tipay', account: 'M1', refundId: 'r2' }));
  });

  it('filters by batch run', async () => {
    await seed();
    for (const id of ['b1', 'b2']) {
      await ledger.reserve({ key: { provider: 'tipay', account: 'M1', orderId: `ob-${id}`, refundId: id }, amount: 5, currency: 'CNY', batch: 'run-7', lease: { holder: `h-${id}`, ttlMs: 60_000 } });
    }
    expect(await ids({ batch: 'run-7' })).toEqual(['b2', 'b1']);
    expect(await ids({ batch: 'run-8' })).toEqual([]);
    expect((await ledger.list(toListQuery({ batch: 'run-7', limit: 1 }))).refunds[0]?.batch).toBe('run-7');
  });

  it('keeps to the accounts it is given', async () => {
    await seed();
    expect(await ids({ limit: 10, ...{} })).toHaveLength(6);
    const page = await ledger.list(toListQuery({}, [{ provider: 'tipay', account: 'M1' }, { provider: 'easypay', account: 'E1' }]));
    expect(page.refunds.map((r) => r.refundId)).toEqual(['r6', 'r5', 'r4', 'r2', 'r1']);
  });

  it('pages with a cursor: every refund once, in order, even across refunds reserved at the same instant', async () => {
    await seed();
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await ledger.list(toListQuery({ limit: 2, ...(cursor === undefined ? {} : { cursor }) }));
      seen.push(...page.refunds.map((r) => r.refundId));
      cursor = page.next;
      pages++;
    } while (cursor !== undefined && pages < 10);
    expect(seen).toEqual(['r6', 'r5', 'r4', 'r3', 'r2', 'r1']);
    expect(pages).toBe(3);
    // A page that is exactly the end says nothing more follows.
    expect((await ledger.list(toListQuery({ limit: 6 }))).next).toBeUndefined();
  });
});

describe('list filter checks', () => {
  it('refuses a bad filter by name, before reading anything', () => {
    expect(() => toListQuery({ limit: 0 })).toThrow(/limit/);
    expect(() => toListQuery({ status: 'done' as never })).toThrow(/status/);
    expect(() => toListQuery({ provider: 'paypal' as never })).toThrow(/provider/);
    expect(() => toListQuery({ createdFrom: 'yesterday' })).toThrow(/createdFrom/);
    expect(() => toListQuery({ cursor: 'not-a-cursor' })).toThrow(/cursor/);
    try {
      toListQuery({ cursor: 'x' });
    } catch (error) {
      expect((error as { code?: string }).code).toBe('validation_failed');
    }
  });
});
