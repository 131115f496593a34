import { useEffect, useRef, useState } from 'preact/hooks';

/** The current time, refreshed every `ms`: running durations and "updated ... ago" tick with it. */
export function useNow(ms = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const id = window.setInterval(() => setNow(Date.now()), ms);
    return () => window.clearInterval(id);
  }, [ms]);
  return now;
}

export type Loadable<T> =
  | { state: 'loading' }
  | { state: 'ready'; value: T; refreshedAt: number }
  | { state: 'error'; error: unknown; value?: T };

/**
 * Loads with `load`, then again every `everyMs` (when given) while the tab is visible, and on
 * `reload()`. A failed refresh keeps the last value next to the error, so a blip does not blank
 * the page. `key` changes start over.
 */
export function usePolled<T>(load: () => Promise<T>, key: string, everyMs?: number): [Loadable<T>, () => void] {
  const [result, setResult] = useState<Loadable<T>>({ state: 'loading' });
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  const last = useRef<T | undefined>(undefined);

  useEffect(() => {
    last.current = undefined;
    setResult({ state: 'loading' });
  }, [key]);

  useEffect(() => {
    let cancelled = false;
    let timer: number | undefined;
    const run = async () => {
      try {
        const value = await loadRef.current();
        if (cancelled) return;
        last.current = value;
        setResult({ state: 'ready', value, refreshedAt: Date.now() });
      } catch (error) {
        if (cancelled) return;
        setResult(last.current === undefined ? { state: 'error', error } : { state: 'error', error, value: last.current });
      }
      if (!cancelled && everyMs !== undefined) timer = window.setTimeout(() => void tickWhenVisible(), everyMs);
    };
    const tickWhenVisible = async () => {
      if (document.visibilityState === 'hidden') {
        timer = window.setTimeout(() => void tickWhenVisible(), everyMs);
        return;
      }
      await run();
    };
    void run();
    return () => {
      cancelled = true;
      if (timer !== undefined) window.clearTimeout(timer);
    };
  }, [key, tick, everyMs]);

  return [result, () => setTick((n) => n + 1)];
}

/** The value of a Loadable, when there is one (a refresh error keeps the last). */
export function valueOf<T>(l: Loadable<T>): T | undefined {
  return l.state === 'ready' ? l.value : l.state === 'error' ? l.value : undefined;
}
