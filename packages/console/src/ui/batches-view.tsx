// Batch runs (a ledger with batch labels): each run's progress, advancing live as refunds of the
// run change (the change feed, the summary refetched at most every half second).
import { query } from './api.js';
import { Time } from './format.js';
import { useLive } from './live.js';
import { useFetch } from './use-fetch.js';
import { readBatch, type BatchProgress } from './batch-progress.js';

function Bar({ b }: { b: BatchProgress }) {
  const part = (n: number) => `${b.total === 0 ? 0 : (100 * n) / b.total}%`;
  return (
    <div class="bar" role="progressbar" aria-valuemin={0} aria-valuemax={b.total} aria-valuenow={b.final} aria-label={`batch ${b.id}: ${b.final} of ${b.total} final`}>
      <span class="s" style={{ width: part(b.counts.succeeded) }} />
      <span class="f" style={{ width: part(b.counts.failed) }} />
      <span class="p" style={{ width: part(b.counts.pending) }} />
      <span class="u" style={{ width: part(b.counts.unknown) }} />
    </div>
  );
}

export function BatchesView() {
  const { data, error, reload } = useFetch<{ batches: unknown[] }>('batches');
  useLive(true, reload, 500);
  const batches = (data?.batches ?? []).map(readBatch).filter((b): b is BatchProgress => b !== undefined);
  return (
    <section aria-labelledby="batches-title">
      <h2 id="batches-title">Batch runs</h2>
      {error !== undefined ? <p class="error" role="alert">{error}</p> : null}
      {data === undefined ? null : batches.length === 0 ? (
        <p class="notice">No batch run yet.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Batch</th>
              <th scope="col">Progress</th>
              <th scope="col">Final</th>
              <th scope="col">Succeeded</th>
              <th scope="col">Failed</th>
              <th scope="col">Pending</th>
              <th scope="col">Unknown</th>
              <th scope="col">First reserved</th>
              <th scope="col">Last change</th>
            </tr>
          </thead>
          <tbody>
            {batches.map((b) => (
              <tr data-batch={b.id}>
                <td>
                  <a href={`#/refunds${query({ batch: b.id })}`}>{b.id}</a>
                </td>
                <td>
                  <Bar b={b} />
                </td>
                <td class="num" data-testid="batch-final">
                  {b.final} / {b.total}
                </td>
                <td class="num">{b.counts.succeeded}</td>
                <td class="num">{b.counts.failed}</td>
                <td class="num">{b.counts.pending}</td>
                <td class="num">{b.counts.unknown}</td>
                <td>
                  <Time at={b.firstReservedAt} />
                </td>
                <td>
                  <Time at={b.lastUpdatedAt} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
