// The ledger's refunds, newest first, filtered by provider, account, status, order and time; live.
import { useState } from 'preact/hooks';
import { query } from './api.js';
import { Status, Time } from './format.js';
import { useLive } from './live.js';
import { useFetch } from './use-fetch.js';
import type { RefundRow } from './types.js';

const STATUSES = ['pending', 'unknown', 'succeeded', 'failed'] as const;

export interface RefundFilters {
  provider: string;
  account: string;
  status: string;
  orderId: string;
  from: string;
  before: string;
  batch: string;
}

const EMPTY: RefundFilters = { provider: '', account: '', status: '', orderId: '', from: '', before: '', batch: '' };

/** A `datetime-local` value (the viewer's zone) as ISO 8601. */
const iso = (local: string): string | undefined => (local === '' ? undefined : new Date(local).toISOString());

export function refundHref(r: { provider: string; account: string; orderId: string; refundId: string }): string {
  return `#/refund${query({ provider: r.provider, account: r.account, orderId: r.orderId, refundId: r.refundId })}`;
}

export function RefundsView({ providers, initial }: { providers: readonly string[]; initial?: Partial<RefundFilters> }) {
  const [draft, setDraft] = useState<RefundFilters>({ ...EMPTY, ...initial });
  const [filters, setFilters] = useState<RefundFilters>({ ...EMPTY, ...initial });
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors[cursors.length - 1];
  const path = `refunds${query({
    provider: filters.provider,
    account: filters.account,
    status: filters.status === '' ? undefined : filters.status.split(','),
    orderId: filters.orderId,
    from: iso(filters.from),
    before: iso(filters.before),
    batch: filters.batch,
    limit: '25',
    cursor,
  })}`;
  const { data, error, reload } = useFetch<{ refunds: RefundRow[]; next: string | null }>(path);
  useLive(true, reload);
  const field = (name: keyof RefundFilters) => (event: Event) => setDraft({ ...draft, [name]: (event.currentTarget as HTMLInputElement).value });

  return (
    <section aria-labelledby="refunds-title">
      <h2 id="refunds-title">Refunds</h2>
      <form
        class="filters"
        role="search"
        onSubmit={(event) => {
          event.preventDefault();
          setCursors([]);
          setFilters(draft);
        }}
      >
        <label>
          Provider
          <select name="provider" value={draft.provider} onChange={field('provider')}>
            <option value="">all</option>
            {providers.map((p) => (
              <option value={p}>{p}</option>
            ))}
          </select>
        </label>
        <label>
          Account
          <input name="account" value={draft.account} onInput={field('account')} />
        </label>
        <label>
          Status
          <select name="status" value={draft.status} onChange={field('status')}>
            <option value="">all</option>
            <option value="pending,unknown">not final (pending, unknown)</option>
            {STATUSES.map((s) => (
              <option value={s}>{s}</option>
            ))}
          </select>
        </label>
        <label>
          Order
          <input name="orderId" value={draft.orderId} onInput={field('orderId')} />
        </label>
        <label>
          Reserved from
          <input type="datetime-local" name="from" value={draft.from} onInput={field('from')} />
        </label>
        <label>
          Reserved before
          <input type="datetime-local" name="before" value={draft.before} onInput={field('before')} />
        </label>
        {initial?.batch !== undefined || draft.batch !== '' ? (
          <label>
            Batch
            <input name="batch" value={draft.batch} onInput={field('batch')} />
          </label>
        ) : null}
        <button type="submit">Filter</button>
      </form>
      {error !== undefined ? <p class="error" role="alert">{error}</p> : null}
      {data === undefined ? (
        <p class="notice">Loading…</p>
      ) : data.refunds.length === 0 ? (
        <p class="notice">No refund matches.</p>
      ) : (
        <table aria-describedby="refunds-title">
          <thead>
            <tr>
              <th scope="col">Reserved</th>
              <th scope="col">Provider</th>
              <th scope="col">Account</th>
              <th scope="col">Order</th>
              <th scope="col">Refund</th>
              <th scope="col">Amount</th>
              <th scope="col">Status</th>
              <th scope="col">Attempts</th>
              <th scope="col">Why</th>
            </tr>
          </thead>
          <tbody>
            {data.refunds.map((r) => (
              <tr data-refund-id={r.refundId}>
                <td>
                  <Time at={r.createdAt} zone={r.timeZone} />
                </td>
                <td>{r.provider}</td>
                <td>{r.account}</td>
                <td>{r.orderId}</td>
                <td>
                  <a href={refundHref(r)}>{r.refundId}</a>
                </td>
                <td class="num">{r.amountText}</td>
                <td>
                  <Status status={r.status} />
                </td>
                <td class="num">{r.attempts}</td>
                <td>{r.failure === undefined ? '' : `${r.failure.code}: ${r.failure.message}`}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p>
        {cursors.length > 0 ? (
          <button type="button" class="secondary" onClick={() => setCursors(cursors.slice(0, -1))}>
            Newer
          </button>
        ) : null}{' '}
        {data?.next ? (
          <button type="button" class="secondary" onClick={() => setCursors([...cursors, data.next!])}>
            Older
          </button>
        ) : null}
      </p>
    </section>
  );
}
