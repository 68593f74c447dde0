// Lists keep themselves current: the screen's loader runs again every LIVE_INTERVAL_MS while the tab is
// visible (conditional polling), and at once when an action on the screen calls `reload`.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

export const LIVE_INTERVAL_MS = 1500;

export interface Live<T> {
  data: T | undefined;
  error: unknown;
  reload: () => void;
}

/** Loads `load()` now, whenever `deps` change, on every tick while visible, and on `reload()`. */
export function useLive<T>(load: () => Promise<T>, deps: unknown[], options: { live?: boolean; intervalMs?: number } = {}): Live<T> {
  const [state, setState] = useState<{ data: T | undefined; error: unknown }>({ data: undefined, error: undefined });
  const loadRef = useRef(load);
  loadRef.current = load;
  const generation = useRef(0);

  const run = useCallback(() => {
    const mine = ++generation.current;
    loadRef.current().then(
      (data) => mine === generation.current && setState({ data, error: undefined }),
      (error: unknown) => mine === generation.current && setState((previous) => ({ data: previous.data, error })),
    );
  }, []);

  useEffect(() => {
    setState({ data: undefined, error: undefined });
    run();
    if (options.live === false) return;
    const timer = setInterval(() => document.visibilityState === 'visible' && run(), LIVE_INTERVAL_MS);
    return () => clearInterval(timer);
  }, deps);

  return { ...state, reload: run };
}
