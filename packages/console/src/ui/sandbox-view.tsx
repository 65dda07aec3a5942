// The sandbox: its orders (add a paid one), refunds with their phase (decide a pending one), the
// request log with each request's verdict, notifications with every delivery attempt
// (redeliver, duplicate, delay), and the fault switches.
import { useState } from 'preact/hooks';
import { query, send } from './api.js';
import { majorOf, minorOf, Time } from './format.js';
import { useFetch, useInterval } from './use-fetch.js';

interface Order { provider: string; orderId: string; amount: number; status: string; currency: string; paymentType: string }
interface SandboxRefund { provider: string; refundNo: string; orderId: string; amount: number; phase: string; attempt: number; providerRefundId: string; createdAt: number }
interface RequestRecord { seq: number; at: number; provider: string; operation?: string; refundNo?: string; outcome: string; fault?: string; committed: boolean; reason?: string }
interface Delivery { provider: string; refundNo: string; attempt: number; duplicate: boolean; at: number; status?: number; error?: string; acked: boolean; fault?: string }
interface Armed { id: number; provider?: string; fault: string; refundNo?: string; remaining?: number; operation?: string }
interface Available { name: string; summary: string }

const REFRESH_MS = 1500;

function Feedback({ message }: { message: { ok: boolean; text: string } | undefined }) {
  if (message === undefined) return null;
  return (
    <p role={message.ok ? 'status' : 'alert'} class={message.ok ? 'notice' : 'error'}>
      {message.text}
    </p>
  );
}

function useAction(after: () => void) {
  const [message, setMessage] = useState<{ ok: boolean; text: string } | undefined>(undefined);
  async function run(path: string, body: unknown, done: string, method: 'POST' | 'DELETE' = 'POST'): Promise<void> {
    try {
      await send(path, body, method);
      setMessage({ ok: true, text: done });
    } catch (failure) {
      setMessage({ ok: false, text: (failure as Error).message });
    }
    after();
  }
  return { message, run };
}

export function SandboxView({ providers, timeZones, currencies }: { providers: readonly string[]; timeZones: Record<string, string>; currencies: Record<string, string[]> }) {
  const [provider, setProvider] = useState(providers.includes('tipay') ? 'tipay' : providers[0]!);
  const zone = timeZones[provider];
  // A provider of one currency: that one (the sandbox keeps a currency on orders only where the provider has several).
  const known = currencies[provider] ?? [];
  const currencyOf = (order: { currency: string } | undefined): string => (known.length === 1 ? known[0]! : order?.currency ?? known[0] ?? '');
  const orderCurrency = new Map<string, string>();
  const orders = useFetch<{ orders: Order[] }>(`sandbox/orders${query({ provider })}`);
  const refunds = useFetch<{ refunds: SandboxRefund[] }>(`sandbox/refunds${query({ provider })}`);
  const requests = useFetch<{ requests: RequestRecord[] }>('sandbox/requests');
  const deliveries = useFetch<{ notifications: Delivery[] }>('sandbox/notifications');
  const faults = useFetch<{ faults: Armed[]; available: Available[] }>('sandbox/faults');
  const notificationFaults = useFetch<{ faults: Armed[]; available: Available[] }>('sandbox/notification-faults');
  const reloadAll = () => {
    orders.reload();
    refunds.reload();
    requests.reload();
    deliveries.reload();
    faults.reload();
    notificationFaults.reload();
  };
  useInterval(reloadAll, REFRESH_MS);
  const action = useAction(reloadAll);

  const [orderId, setOrderId] = useState('');
  const [amount, setAmount] = useState('100.00');
  const [fault, setFault] = useState('http-502');
  const [notificationFault, setNotificationFault] = useState('duplicate');

  for (const o of orders.data?.orders ?? []) orderCurrency.set(o.orderId, currencyOf(o));
  const ofProvider = <T extends { provider: string }>(list: readonly T[] | undefined): T[] => (list ?? []).filter((r) => r.provider === provider);
  const byRefund = new Map<string, Delivery[]>();
  for (const d of ofProvider(deliveries.data?.notifications)) byRefund.set(d.refundNo, [...(byRefund.get(d.refundNo) ?? []), d]);

  return (
    <section aria-labelledby="sandbox-title">
      <h2 id="sandbox-title">Sandbox</h2>
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          Provider
          <select name="sandbox-provider" value={provider} onChange={(e) => setProvider((e.currentTarget as HTMLSelectElement).value)}>
            {providers.map((p) => (
              <option value={p}>{p}</option>
            ))}
          </select>
        </label>
        <button type="button" class="secondary" onClick={reloadAll}>
          Refresh
        </button>
      </form>
      <Feedback message={action.message} />

      <h3 id="faults-title">Fault switches</h3>
      <form
        class="inline"
        aria-labelledby="faults-title"
        onSubmit={(e) => {
          e.preventDefault();
          void action.run('sandbox/faults', { provider, fault }, `Armed ${fault} for the next ${provider} refund request.`);
        }}
      >
        <label>
          Fault for the next {provider} refund request
          <select name="fault" value={fault} onChange={(e) => setFault((e.currentTarget as HTMLSelectElement).value)}>
            {(faults.data?.available ?? []).map((f) => (
              <option value={f.name} title={f.summary}>
                {f.name}
              </option>
            ))}
          </select>
        </label>
        <button type="submit">Arm fault</button>
        <button type="button" class="secondary" onClick={() => void action.run('sandbox/faults', {}, 'Every fault disarmed.', 'DELETE')}>
          Disarm all
        </button>
      </form>
      <form
        class="inline"
        aria-label="Notification fault"
        onSubmit={(e) => {
          e.preventDefault();
          void action.run('sandbox/notification-faults', { provider, fault: notificationFault }, `Armed ${notificationFault} for the next ${provider} notification.`);
        }}
      >
        <label>
          Fault for the next {provider} notification
          <select name="notification-fault" value={notificationFault} onChange={(e) => setNotificationFault((e.currentTarget as HTMLSelectElement).value)}>
            {(notificationFaults.data?.available ?? []).map((f) => (
              <option value={f.name} title={f.summary}>
                {f.name}
              </option>
            ))}
          </select>
        </label>
        <button type="submit">Arm notification fault</button>
      </form>
      <p class="notice" data-testid="armed-faults">
        Armed: {[...(faults.data?.faults ?? []), ...(notificationFaults.data?.faults ?? [])].map((f) => `${f.provider ?? 'any'} ${f.fault}${f.refundNo ? ` (${f.refundNo})` : ''}`).join('; ') || 'none'}
      </p>

      <h3 id="orders-title">Orders</h3>
      <form
        class="inline"
        aria-labelledby="orders-title"
        onSubmit={(e) => {
          e.preventDefault();
          const minor = minorOf(amount);
          if (minor === undefined || minor === 0) return void action.run('sandbox/orders', { provider, orderId, amount: -1 }, '');
          void action.run('sandbox/orders', { provider, orderId, amount: minor }, `Added paid ${provider} order ${orderId}.`);
        }}
      >
        <label>
          Order id
          <input name="orderId" required value={orderId} onInput={(e) => setOrderId((e.currentTarget as HTMLInputElement).value)} />
        </label>
        <label>
          Amount paid (major units)
          <input name="amount" required inputMode="decimal" value={amount} onInput={(e) => setAmount((e.currentTarget as HTMLInputElement).value)} />
        </label>
        <button type="submit">Add paid order</button>
      </form>
      <table aria-labelledby="orders-title">
        <thead>
          <tr>
            <th scope="col">Order</th>
            <th scope="col">Paid</th>
            <th scope="col">Status</th>
            <th scope="col">Wallet</th>
          </tr>
        </thead>
        <tbody>
          {(orders.data?.orders ?? []).map((o) => (
            <tr>
              <td>{o.orderId}</td>
              <td class="num">
                {majorOf(o.amount)} {currencyOf(o)}
              </td>
              <td>{o.status}</td>
              <td>{o.paymentType}</td>
            </tr>
          ))}
        </tbody>
      </table>

      <h3 id="sandbox-refunds-title">Refunds</h3>
      <table aria-labelledby="sandbox-refunds-title">
        <thead>
          <tr>
            <th scope="col">Accepted</th>
            <th scope="col">Refund number</th>
            <th scope="col">Order</th>
            <th scope="col">Amount</th>
            <th scope="col">Phase</th>
            <th scope="col">Attempt</th>
            <th scope="col">Decide</th>
          </tr>
        </thead>
        <tbody>
          {(refunds.data?.refunds ?? []).map((r) => (
            <tr data-refund-no={r.refundNo}>
              <td>
                <Time at={r.createdAt} zone={zone} />
              </td>
              <td>{r.refundNo}</td>
              <td>{r.orderId}</td>
              <td class="num">
                {majorOf(r.amount)} {orderCurrency.get(r.orderId) ?? currencyOf(undefined)}
              </td>
              <td>
                <span class={`status status-${r.phase}`}>{r.phase}</span>
              </td>
              <td class="num">{r.attempt}</td>
              <td>
                {r.phase === 'pending' ? (
                  <>
                    <button type="button" onClick={() => void action.run('sandbox/settle', { provider, refundNo: r.refundNo, outcome: 'succeeded' }, `${r.refundNo} decided: succeeded.`)}>
                      Succeed
                    </button>{' '}
                    <button type="button" class="secondary" onClick={() => void action.run('sandbox/settle', { provider, refundNo: r.refundNo, outcome: 'failed' }, `${r.refundNo} decided: failed.`)}>
                      Fail
                    </button>
                  </>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>

      <h3 id="requests-title">Request log</h3>
      <table aria-labelledby="requests-title">
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">At</th>
            <th scope="col">Operation</th>
            <th scope="col">Refund number</th>
            <th scope="col">Verdict</th>
            <th scope="col">Why</th>
          </tr>
        </thead>
        <tbody>
          {ofProvider(requests.data?.requests)
            .slice(-50)
            .reverse()
            .map((r) => (
              <tr>
                <td class="num">{r.seq}</td>
                <td>
                  <Time at={r.at} zone={zone} />
                </td>
                <td>{r.operation ?? '—'}</td>
                <td>{r.refundNo ?? '—'}</td>
                <td>
                  {r.outcome}
                  {r.fault !== undefined ? ` (fault ${r.fault}${r.committed ? ', recorded' : ', not recorded'})` : ''}
                </td>
                <td>{r.reason ?? ''}</td>
              </tr>
            ))}
        </tbody>
      </table>

      <h3 id="notifications-title">Notifications</h3>
      {byRefund.size === 0 ? <p class="notice">No notification sent by {provider} yet.</p> : null}
      {[...byRefund.entries()].map(([refundNo, list]) => (
        <div data-notified={refundNo}>
          <h4>Refund {refundNo}</h4>
          <ul>
            {list.map((d) => (
              <li>
                <Time at={d.at} zone={zone} /> try {d.attempt}
                {d.duplicate ? ' (duplicate)' : ''}
                {d.fault !== undefined ? ` [${d.fault}]` : ''}: {d.acked ? 'acknowledged' : d.error ?? `HTTP ${d.status ?? '?'}, not acknowledged`}
              </li>
            ))}
          </ul>
          <button type="button" class="secondary" onClick={() => void action.run('sandbox/redeliver', { provider, refundNo }, `Redelivering ${refundNo}'s notification.`)}>
            Redeliver
          </button>{' '}
          <button type="button" class="secondary" onClick={() => void action.run('sandbox/redeliver', { provider, refundNo, copies: 2 }, `Delivering ${refundNo}'s notification twice.`)}>
            Duplicate
          </button>{' '}
          <button type="button" class="secondary" onClick={() => void action.run('sandbox/redeliver', { provider, refundNo, delayMs: 5000 }, `Delivering ${refundNo}'s notification in 5 s.`)}>
            Delay 5 s
          </button>
        </div>
      ))}
    </section>
  );
}
