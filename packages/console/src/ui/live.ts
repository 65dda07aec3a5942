// Live updates: the console's server-sent events (the ledger's change feed), each view refetching, throttled.
import { useEffect, useRef, useState } from 'preact/hooks';

export interface LiveChange {
  readonly seq: number;
  readonly provider: string;
  readonly account: string;
  readonly orderId: string;
  readonly refundId: string;
  readonly from: string | null;
  readonly to: string;
}

type Listener = (change: LiveChange) => void;
const listeners = new Set<Listener>();
let source: EventSource | undefined;
let connected = false;
const statusListeners = new Set<(connected: boolean) => void>();

function open(): void {
  if (source !== undefined) return;
  source = new EventSource('api/events');
  source.addEventListener('open', () => setConnected(true));
  source.addEventListener('error', () => setConnected(false));
  source.addEventListener('change', (event) => {
    const change = JSON.parse((event as MessageEvent<string>).data) as LiveChange;
    for (const listener of listeners) listener(change);
  });
}

function setConnected(value: boolean): void {
  connected = value;
  for (const listener of statusListeners) listener(value);
}

/** Whether the live stream is connected (the header shows it). */
export function useLiveStatus(enabled: boolean): boolean {
  const [state, setState] = useState(connected);
  useEffect(() => {
    if (!enabled) return;
    open();
    statusListeners.add(setState);
    return () => void statusListeners.delete(setState);
  }, [enabled]);
  return state;
}

/** Calls `refresh` after changes, at most once per `throttleMs` (a burst of changes is one refetch). */
export function useLive(enabled: boolean, refresh: (change: LiveChange) => void, throttleMs = 400): void {
  const latest = useRef(refresh);
  latest.current = refresh;
  useEffect(() => {
    if (!enabled) return;
    open();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let last: LiveChange | undefined;
    const listener: Listener = (change) => {
      last = change;
      if (timer !== undefined) return;
      timer = setTimeout(() => {
        timer = undefined;
        if (last !== undefined) latest.current(last);
      }, throttleMs);
    };
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
      if (timer !== undefined) clearTimeout(timer);
    };
  }, [enabled, throttleMs]);
}
