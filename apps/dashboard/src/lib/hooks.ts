'use client';
// Small data hooks over gqlRequest: enough for a dashboard (no normalised cache; pages refetch after mutations).
import { useCallback, useEffect, useRef, useState } from 'react';
import { gqlRequest, type Doc } from './graphql';
import { useSession } from './session';

export interface QueryState<R> {
  data: R | undefined;
  error: unknown;
  /** true until the first response (or error) for the current variables */
  loading: boolean;
  refetch: () => Promise<void>;
}

export function useQuery<R, V>(
  doc: Doc<R, V>,
  variables: V,
  opts: {
    skip?: boolean;
    pollMs?: number | ((data: R | undefined) => number | undefined);
    /** change it to refetch */ refreshKey?: unknown;
  } = {},
): QueryState<R> {
  const { token, ready } = useSession();
  const key = JSON.stringify(variables ?? {});
  const [state, setState] = useState<{ key: string; data?: R; error?: unknown; done: boolean }>({ key, done: false });
  const tick = useRef(0);
  const pollRef = useRef(opts.pollMs);
  pollRef.current = opts.pollMs;

  const run = useCallback(
    async (signal?: AbortSignal) => {
      const my = ++tick.current;
      try {
        const data = await gqlRequest(doc, JSON.parse(key) as V, { token, signal });
        if (my === tick.current) setState({ key, data, done: true });
        return data;
      } catch (error) {
        if ((error as Error).name === 'AbortError') return undefined;
        if (my === tick.current)
          setState((s) => ({ key, data: s.key === key ? s.data : undefined, error, done: true }));
        return undefined;
      }
    },
    [doc, key, token],
  );

  useEffect(() => {
    if (!ready || opts.skip) return;
    const ctrl = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const loop = async () => {
      const data = await run(ctrl.signal);
      if (ctrl.signal.aborted) return;
      const p = pollRef.current;
      const ms = typeof p === 'function' ? p(data) : p;
      if (ms && ms > 0) timer = setTimeout(loop, ms);
    };
    void loop();
    return () => {
      ctrl.abort();
      if (timer) clearTimeout(timer);
    };
  }, [run, ready, opts.skip, opts.refreshKey]);

  const current = state.key === key;
  return {
    data: current ? state.data : undefined,
    error: current ? state.error : undefined,
    loading: !opts.skip && (!current || !state.done),
    refetch: async () => {
      await run();
    },
  };
}

export interface MutationState<R, V> {
  mutate: (variables: V) => Promise<R>;
  loading: boolean;
  error: unknown;
  data: R | undefined;
  reset: () => void;
}

export function useMutation<R, V>(doc: Doc<R, V>): MutationState<R, V> {
  const { token } = useSession();
  const [state, setState] = useState<{ loading: boolean; error?: unknown; data?: R }>({ loading: false });
  const mutate = useCallback(
    async (variables: V) => {
      setState({ loading: true });
      try {
        const data = await gqlRequest(doc, variables, { token });
        setState({ loading: false, data });
        return data;
      } catch (error) {
        setState({ loading: false, error });
        throw error;
      }
    },
    [doc, token],
  );
  return {
    loading: state.loading,
    error: state.error,
    data: state.data,
    mutate,
    reset: () => setState({ loading: false }),
  };
}
