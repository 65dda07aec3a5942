// The refundkit console: one page, views chosen by the address's hash (#/refunds, #/refund?…,
// #/unmatched, #/totals, #/batches, #/sandbox), so every view has a link and Back works.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { BatchesView } from './batches-view.js';
import { TotalsView, UnmatchedView } from './ledger-views.js';
import { useLiveStatus } from './live.js';
import { RefundPage } from './refund-page.js';
import { RefundsView } from './refunds-view.js';
import { SandboxView } from './sandbox-view.js';
import type { Session } from './types.js';
import { getJson } from './api.js';

function useHash(): string {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const on = () => setHash(location.hash);
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return hash;
}

function App() {
  const [session, setSession] = useState<Session | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  useEffect(() => {
    getJson<Session>('session').then(setSession, (failure: Error) => setError(failure.message));
  }, []);
  const hash = useHash();
  const live = useLiveStatus(session?.ledger === true);
  if (error !== undefined) return <p class="error" role="alert">{error}</p>;
  if (session === undefined) return <p class="notice">Loading…</p>;

  const [route = '', search = ''] = hash.replace(/^#\/?/, '').split('?');
  const view = route === '' ? (session.ledger ? 'refunds' : 'sandbox') : route;
  const params = new URLSearchParams(search);
  const links: [string, string][] = [
    ...(session.ledger ? ([['refunds', 'Refunds'], ['unmatched', 'Unmatched notifications'], ['totals', 'Totals']] as [string, string][]) : []),
    ...(session.ledger && session.batches ? ([['batches', 'Batch runs']] as [string, string][]) : []),
    ...(session.sandbox ? ([['sandbox', 'Sandbox']] as [string, string][]) : []),
  ];
  const current = view === 'refund' ? 'refunds' : view;

  let body;
  if (view === 'refunds' && session.ledger) {
    const initial = Object.fromEntries([...params.entries()].filter(([k]) => ['provider', 'account', 'status', 'orderId', 'batch'].includes(k)));
    body = <RefundsView key={search} providers={session.providers} initial={initial} />;
  } else if (view === 'refund' && session.ledger) body = <RefundPage key={search} params={params} />;
  else if (view === 'unmatched' && session.ledger) body = <UnmatchedView />;
  else if (view === 'totals' && session.ledger) body = <TotalsView />;
  else if (view === 'batches' && session.ledger && session.batches) body = <BatchesView />;
  else if (view === 'sandbox' && session.sandbox) body = <SandboxView providers={session.providers} timeZones={session.timeZones} currencies={session.currencies} />;
  else body = <p class="notice">Nothing here: choose a view above.</p>;

  return (
    <>
      <header>
        <h1>refundkit console</h1>
        <nav aria-label="Views">
          <ul>
            {links.map(([id, label]) => (
              <li>
                <a href={`#/${id}`} aria-current={current === id ? 'page' : undefined}>
                  {label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        {session.ledger ? (
          <span class="live" role="status" aria-live="polite">
            {live ? 'Live' : 'Connecting…'}
          </span>
        ) : null}
      </header>
      <main>{body}</main>
    </>
  );
}

render(<App />, document.getElementById('app')!);
