// One GET a view shows: its data, its error, and a way to fetch it again (after an action, on a live change).
import { useCallback, useEffect, useState } from 'preact/hooks';
import { getJson } from './api.js';

export function useFetch<T>(path: string | undefined): { data: T | undefined; error: string | undefined; reload: () => void } {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [round, setRound] = useState(0);
  useEffect(() => {
    if (path === undefined) return;
    let current = true;
    getJson<T>(path).then(
      (value) => {
        if (!current) return;
        setData(value);
        setError(undefined);
      },
      (failure: Error) => current && setError(failure.message),
    );
    return () => void (current = false);
  }, [path, round]);
  const reload = useCallback(() => setRound((n) => n + 1), []);
  return { data, error, reload };
}

/** Fetches again every `ms` while the view is shown (the sandbox has no change feed). */
export function useInterval(callback: () => void, ms: number): void {
  useEffect(() => {
    const timer = setInterval(callback, ms);
    return () => clearInterval(timer);
  }, [callback, ms]);
}
