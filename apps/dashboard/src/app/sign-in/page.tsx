'use client';
// Token entry: the API issues tokens (tools/create-token.ts or the createApiToken mutation); the dashboard keeps the
// token in localStorage and sends it as "Authorization: Bearer <token>".
import { useRouter } from 'next/navigation';
import { useEffect, useState, type FormEvent } from 'react';
import { PageHeader } from '@/components/ui';
import { describeError } from '@/lib/graphql';
import { useSession } from '@/lib/session';

export default function SignInPage() {
  const { signIn, signOut, viewer, token } = useSession();
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // The field is uncontrolled and the button waits for hydration: a token typed or pasted while the page was still
  // loading stays in the field (it used to be dropped from React's state, leaving "Sign in" disabled for good), and
  // a click before hydration cannot submit the form natively (the token would land in the URL).
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const value = String(new FormData(e.currentTarget).get('token') ?? '').trim();
    if (!value) return;
    setBusy(true);
    setError(null);
    try {
      await signIn(value);
      router.push('/models');
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div style={{ maxWidth: 560 }}>
      <PageHeader title="Sign in" description="Paste an API token. Readers can browse; editors and admins can also train, import and move aliases." />
      {viewer?.role && token && (
        <div className="alert alert-info" style={{ marginBottom: '1rem' }}>
          <strong>
            Signed in as {viewer.name} ({viewer.role.toLowerCase()})
          </strong>
          <button type="button" className="btn btn-sm" onClick={signOut}>
            Sign out
          </button>
        </div>
      )}
      <form className="card stack" onSubmit={onSubmit} aria-describedby={error ? 'signin-error' : undefined}>
        <div className="field">
          <label htmlFor="token">API token</label>
          <input
            id="token"
            name="token"
            type="password"
            autoComplete="off"
            spellCheck={false}
            placeholder="acc_…"
            required
            aria-invalid={error ? true : undefined}
          />
          <span className="hint">
            Create one with <code>npx tsx tools/create-token.ts --role ADMIN --name me</code>. It stays in this browser only.
          </span>
        </div>
        {error && (
          <div id="signin-error" className="alert alert-error" role="alert">
            {error}
          </div>
        )}
        <div className="row">
          <button type="submit" className="btn btn-primary" disabled={busy || !hydrated}>
            {busy && <span className="spinner" aria-hidden="true" />} Sign in
          </button>
        </div>
      </form>
    </div>
  );
}
