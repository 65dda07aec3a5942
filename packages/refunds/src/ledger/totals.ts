// Refund totals per provider, account and status, the same shape from every store.
import type { Refund } from '../model.js';
import type { RefundTotal } from './ledger.js';

/** Sums refunds read one by one (the memory store). */
export function sumTotals(refunds: Iterable<Refund>): RefundTotal[] {
  const totals = new Map<string, { -readonly [K in keyof RefundTotal]: RefundTotal[K] }>();
  for (const refund of refunds) {
    const key = `${refund.provider}\u0000${refund.account}\u0000${refund.status}`;
    const total = totals.get(key) ?? { provider: refund.provider, account: refund.account, status: refund.status, count: 0, amount: 0 };
    total.count += 1;
    total.amount += refund.amount;
    totals.set(key, total);
  }
  return sortTotals([...totals.values()]);
}

/** Rows of a `GROUP BY provider, account, status` (a SQL store; counts and sums may come as strings). */
export function totalsOf(rows: readonly { provider: string; account: string; status: string; count: number | string; amount: number | string | null }[]): RefundTotal[] {
  return sortTotals(rows.map((row) => ({ provider: row.provider as RefundTotal['provider'], account: row.account, status: row.status as RefundTotal['status'], count: Number(row.count), amount: Number(row.amount ?? 0) })));
}

function sortTotals(totals: RefundTotal[]): RefundTotal[] {
  return totals.sort((a, b) => a.provider.localeCompare(b.provider) || a.account.localeCompare(b.account) || a.status.localeCompare(b.status));
}
