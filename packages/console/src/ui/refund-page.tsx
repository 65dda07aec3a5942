// One refund: its facts, its timeline (reservation, every attempt, every answer and notification,
// corrections, anomalies) and, while it is pending or unknown, "query the provider now".
import { useState } from 'preact/hooks';
import { query, send } from './api.js';
import { Status, Time } from './format.js';
import { useLive } from './live.js';
import { useFetch } from './use-fetch.js';
import type { HistoryEntry, RefundRow } from './types.js';

type Page = { refund: RefundRow; history: HistoryEntry[] };

const SOURCE_NAMES: Record<string, string> = { refund: 'refund request', query: 'query', notification: 'notification' };

function describe(entry: HistoryEntry): string {
  switch (entry.kind) {
    case 'reserved':
      return `Reserved: attempt ${entry.attempt ?? 1} takes the refund`;
    case 'resubmitted':
      return `Resubmitted (same refund number): attempt ${entry.attempt ?? '?'}`;
    case 'recovered':
      return `Recovered from a sender that gave up: attempt ${entry.attempt ?? '?'}`;
    case 'claimed':
      return 'Claimed by a reconciler to query it';
    case 'anomaly':
      return `Anomaly: ${entry.note ?? ''}`;
    default: {
      const from = SOURCE_NAMES[entry.source ?? ''] ?? entry.source ?? 'answer';
      const attempt = entry.attempt === undefined ? '' : ` (attempt ${entry.attempt})`;
      const verdict = entry.verdict === 'late' ? ' — late: from an attempt no longer current' : entry.verdict === 'refused' ? ' — refused: failed verification or the echo rule' : '';
      const correction = entry.status !== undefined && entry.statusAfter !== undefined && entry.status !== entry.statusAfter ? ` → kept ${entry.statusAfter}` : '';
      return `Answer to the ${from}${attempt}: ${entry.status ?? '?'}${correction}${verdict}`;
    }
  }
}

export function RefundPage({ params }: { params: URLSearchParams }) {
  const key = { provider: params.get('provider') ?? '', account: params.get('account') ?? '', orderId: params.get('orderId') ?? '', refundId: params.get('refundId') ?? '' };
  const { data, error, reload } = useFetch<Page>(`refund${query(key)}`);
  const [asking, setAsking] = useState(false);
  const [result, setResult] = useState<string | undefined>(undefined);
  useLive(true, (change) => {
    if (change.refundId === key.refundId && change.provider === key.provider) reload();
  });

  async function queryNow(): Promise<void> {
    setAsking(true);
    setResult(undefined);
    try {
      const page = await send<Page>('refund/query', key);
      setResult(`The provider was asked: the refund is now ${page.refund.status}.`);
      reload();
    } catch (failure) {
      setResult(`The query failed: ${(failure as Error).message}`);
    } finally {
      setAsking(false);
    }
  }

  if (error !== undefined) return <p class="error" role="alert">{error}</p>;
  if (data === undefined) return <p class="notice">Loading…</p>;
  const r = data.refund;
  return (
    <section aria-labelledby="refund-title">
      <p>
        <a href="#/refunds">← Refunds</a>
      </p>
      <h2 id="refund-title">
        Refund {r.refundId} <Status status={r.status} />
      </h2>
      <dl class="facts">
        <dt>Provider</dt>
        <dd>{r.provider}</dd>
        <dt>Account</dt>
        <dd>{r.account}</dd>
        <dt>Order</dt>
        <dd>{r.orderId}</dd>
        <dt>Amount</dt>
        <dd>{r.amountText}</dd>
        <dt>Provider's refund id</dt>
        <dd>{r.providerRefundId ?? '—'}</dd>
        <dt>Attempts</dt>
        <dd>{r.attempts}</dd>
        <dt>Reserved</dt>
        <dd>
          <Time at={r.createdAt} zone={r.timeZone} />
        </dd>
        <dt>Last change</dt>
        <dd>
          <Time at={r.updatedAt} zone={r.timeZone} />
        </dd>
        {r.failure !== undefined ? (
          <>
            <dt>Why</dt>
            <dd>
              {r.failure.source} {r.failure.code}: {r.failure.message}
            </dd>
          </>
        ) : null}
        {r.batch !== undefined ? (
          <>
            <dt>Batch</dt>
            <dd>{r.batch}</dd>
          </>
        ) : null}
      </dl>
      {r.status === 'pending' || r.status === 'unknown' ? (
        <p>
          <button type="button" onClick={() => void queryNow()} disabled={asking}>
            {asking ? 'Asking the provider…' : 'Query the provider now'}
          </button>
        </p>
      ) : null}
      {result !== undefined ? (
        <p role="status" class="notice">
          {result}
        </p>
      ) : null}
      <h3>Timeline</h3>
      <ol class="timeline" aria-label="What happened to this refund, oldest first">
        {data.history.map((entry) => (
          <li class={`kind-${entry.kind}`} data-kind={entry.kind}>
            <Time at={entry.at} zone={r.timeZone} /> — {describe(entry)}
            {entry.failure !== undefined ? (
              <div class="notice">
                {entry.failure.source} {entry.failure.code}: {entry.failure.message}
              </div>
            ) : null}
          </li>
        ))}
      </ol>
    </section>
  );
}
