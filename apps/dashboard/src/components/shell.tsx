'use client';
// The app frame: skip link, sidebar navigation (aria-current on the active section), top bar with the session.
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { useEffect, useState, type ReactNode } from 'react';
import { useSession } from '@/lib/session';
import { DatasetsIcon, KeyIcon, Logo, ModelsIcon, PlaygroundIcon, TaxonomyIcon, TrainingIcon } from './icons';

const NAV = [
  { href: '/models', label: 'Models', icon: <ModelsIcon /> },
  { href: '/datasets', label: 'Datasets', icon: <DatasetsIcon /> },
  { href: '/taxonomy', label: 'Taxonomy', icon: <TaxonomyIcon /> },
  { href: '/training', label: 'Training', icon: <TrainingIcon /> },
  { href: '/playground', label: 'Playground', icon: <PlaygroundIcon /> },
];

export function Shell({ children }: { children: ReactNode }) {
  const pathname = usePathname() ?? '/';
  const { isAdmin } = useSession();
  const isActive = (href: string) =>
    pathname === href ||
    pathname.startsWith(`${href}/`) ||
    (href === '/models' && pathname.startsWith('/versions/')) ||
    (href === '/training' && pathname.startsWith('/jobs/'));
  return (
    <>
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <div className="shell">
        <aside className="sidebar">
          <Link href="/models" className="brand" aria-label="Accrete home">
            <Logo />
            <span>Accrete</span>
          </Link>
          <nav className="nav" aria-label="Main">
            <ul>
              {[...NAV, ...(isAdmin ? [{ href: '/tokens', label: 'API tokens', icon: <KeyIcon /> }] : [])].map((n) => (
                <li key={n.href}>
                  <Link href={n.href} aria-current={isActive(n.href) ? 'page' : undefined}>
                    {n.icon}
                    {n.label}
                  </Link>
                </li>
              ))}
            </ul>
          </nav>
          <div className="sidebar-foot">
            <ApiHealth />
          </div>
        </aside>
        <div className="main">
          <header className="topbar">
            <SessionProblem />
            <SessionBadge />
          </header>
          <main id="main" className="content" tabIndex={-1}>
            {children}
          </main>
        </div>
      </div>
    </>
  );
}

function SessionProblem() {
  const { problem } = useSession();
  return (
    <div role="status" aria-live="polite" className="small" style={{ color: 'var(--danger)' }}>
      {problem ?? ''}
    </div>
  );
}

function SessionBadge() {
  const { ready, viewer, token, signOut } = useSession();
  if (!ready) return <span className="muted small">…</span>;
  const role = viewer?.role;
  return (
    <div className="row small" data-testid="session">
      {role ? (
        <>
          <span>
            Signed in as <strong>{viewer?.name}</strong> <span className="badge badge-info">{role.toLowerCase()}</span>
          </span>
          {role === 'READER' && <span className="badge">read-only</span>}
          <button type="button" className="btn btn-sm" onClick={signOut}>
            Sign out
          </button>
        </>
      ) : (
        <>
          <span className="muted">{token ? 'Token not accepted' : 'Not signed in (read-only)'}</span>
          <Link href="/sign-in" className="btn btn-sm btn-primary">
            <KeyIcon /> Sign in
          </Link>
        </>
      )}
    </div>
  );
}

/** One look at GET /health: is the API up, which database and compute backend it runs. */
function ApiHealth() {
  const [h, setH] = useState<{ ok: boolean; text: string } | null>(null);
  useEffect(() => {
    const ctrl = new AbortController();
    fetch('/health', { signal: ctrl.signal })
      .then(async (r) => {
        const j = (await r.json()) as { status?: string; db?: string; backend?: string | null; jobs?: string };
        setH(
          j.status === 'ok'
            ? { ok: true, text: [j.db, j.backend, j.jobs && `jobs ${j.jobs}`].filter(Boolean).join(' · ') }
            : { ok: false, text: 'API unhealthy' },
        );
      })
      .catch((e: Error) => e.name !== 'AbortError' && setH({ ok: false, text: 'API unreachable' }));
    return () => ctrl.abort();
  }, []);
  if (!h) return null;
  return (
    <p className="small" style={{ margin: 0 }}>
      <span aria-hidden="true" style={{ color: h.ok ? 'var(--ok)' : 'var(--danger)' }}>
        ●
      </span>{' '}
      {h.ok ? 'API ok' : h.text}
      {h.ok && h.text ? <span className="muted"> · {h.text}</span> : null}
    </p>
  );
}
