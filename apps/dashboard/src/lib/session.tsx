'use client';
// Who is using the dashboard: the API token (localStorage) and the role the API reports for it.
// Read-only users (READER or anonymous open reads) get canEdit=false and the pages hide mutating buttons.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { ApiError, gqlRequest, readToken, writeToken } from './graphql';
import { ViewerDoc } from './documents';

export type Role = 'READER' | 'EDITOR' | 'ADMIN';

export interface Session {
  /** false until the token has been read from localStorage (pages wait for it before querying) */
  ready: boolean;
  token: string | null;
  viewer: { name: string | null; role: Role | null } | null;
  /** set when the API rejected the stored token or could not be reached */
  problem: string | null;
  canEdit: boolean;
  isAdmin: boolean;
  signIn(token: string): Promise<void>;
  signOut(): void;
}

const SessionContext = createContext<Session | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [token, setToken] = useState<string | null>(null);
  const [ready, setReady] = useState(false);
  const [viewer, setViewer] = useState<Session['viewer']>(null);
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    const sync = () => {
      setToken(readToken());
      setReady(true);
    };
    sync();
    window.addEventListener('storage', sync);
    window.addEventListener('accrete-token', sync);
    return () => {
      window.removeEventListener('storage', sync);
      window.removeEventListener('accrete-token', sync);
    };
  }, []);

  useEffect(() => {
    if (!ready) return;
    const ctrl = new AbortController();
    gqlRequest(ViewerDoc, {}, { token, signal: ctrl.signal })
      .then((d) => {
        setViewer({ name: d.viewer.name ?? null, role: (d.viewer.role as Role | null) ?? null });
        setProblem(null);
      })
      .catch((err: unknown) => {
        if ((err as Error).name === 'AbortError') return;
        setViewer(null);
        setProblem(
          err instanceof ApiError && err.isAuth
            ? 'The API rejected the saved token. Sign in again.'
            : `Cannot check the session: ${(err as Error).message}`,
        );
      });
    return () => ctrl.abort();
  }, [token, ready]);

  const signIn = useCallback(async (candidate: string) => {
    const t = candidate.trim();
    if (!t) throw new Error('Enter a token.');
    const d = await gqlRequest(ViewerDoc, {}, { token: t });
    if (!d.viewer.role) throw new Error('The API does not recognise this token.');
    writeToken(t);
  }, []);

  const signOut = useCallback(() => writeToken(null), []);

  const value = useMemo<Session>(() => {
    const role = viewer?.role ?? null;
    return {
      ready,
      token,
      viewer,
      problem,
      canEdit: role === 'EDITOR' || role === 'ADMIN',
      isAdmin: role === 'ADMIN',
      signIn,
      signOut,
    };
  }, [ready, token, viewer, problem, signIn, signOut]);

  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside <SessionProvider>');
  return s;
}
