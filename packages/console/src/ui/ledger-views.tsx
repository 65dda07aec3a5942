// Unmatched notifications and totals per provider and status: live.
import { Status, Time } from './format.js';
import { useLive } from './live.js';
import { useFetch } from './use-fetch.js';

interface Unmatched {
  provider: string;
  account: string;
  refundId: string;
  verified: boolean;
  receivedAt: string;
  lastReceivedAt: string;
  deliveries: number;
  excerpt: string;
  timeZone: string;
}

export function UnmatchedView() {
  const { data, error, reload } = useFetch<{ unmatched: Unmatched[] }>('unmatched');
  useLive(true, reload, 2000);
  return (
    <section aria-labelledby="unmatched-title">
      <h2 id="unmatched-title">Unmatched notifications</h2>
      <p class="notice">Notifications that named a refund this ledger never saw (kept and acknowledged). <button type="button" class="secondary" onClick={reload}>Refresh</button></p>
      {error !== undefined ? <p class="error" role="alert">{error}</p> : null}
      {data === undefined ? null : data.unmatched.length === 0 ? (
        <p class="notice">None.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Last received</th>
              <th scope="col">Provider</th>
              <th scope="col">Account</th>
              <th scope="col">Refund named</th>
              <th scope="col">Signature</th>
              <th scope="col">Deliveries</th>
              <th scope="col">Body (excerpt)</th>
            </tr>
          </thead>
          <tbody>
            {data.unmatched.map((n) => (
              <tr>
                <td>
                  <Time at={n.lastReceivedAt} zone={n.timeZone} />
                </td>
                <td>{n.provider}</td>
                <td>{n.account}</td>
                <td>{n.refundId}</td>
                <td>{n.verified ? 'verified' : 'unsigned'}</td>
                <td class="num">{n.deliveries}</td>
                <td>
                  <code>{n.excerpt.slice(0, 160)}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

interface Total {
  provider: string;
  status: string;
  count: number;
  amountText: string;
}

export function TotalsView() {
  const { data, error, reload } = useFetch<{ totals: Total[] }>('totals');
  useLive(true, reload);
  return (
    <section aria-labelledby="totals-title">
      <h2 id="totals-title">Totals per provider and status</h2>
      {error !== undefined ? <p class="error" role="alert">{error}</p> : null}
      {data === undefined ? null : data.totals.length === 0 ? (
        <p class="notice">The ledger holds no refund yet.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Provider</th>
              <th scope="col">Status</th>
              <th scope="col">Refunds</th>
              <th scope="col">Amount</th>
            </tr>
          </thead>
          <tbody>
            {data.totals.map((t) => (
              <tr>
                <td>
                  <a href={`#/refunds?provider=${encodeURIComponent(t.provider)}&status=${encodeURIComponent(t.status)}`}>{t.provider}</a>
                </td>
                <td>
                  <Status status={t.status} />
                </td>
                <td class="num">{t.count}</td>
                <td class="num">{t.amountText}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
