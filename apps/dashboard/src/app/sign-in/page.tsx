'use client';
// Token entry: the API issues tokens (tools/create-token.ts or the createApiToken mutation); the dashboard keeps the
// token in localStorage and sends it as "Authorization: Bearer <token>". On a fresh install the API prints a one-time
// link /sign-in#code=…: the code (in the fragment, so it never reaches a server log) becomes the first ADMIN token.
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { PageHeader } from '@/components/ui';
import { graphql } from '@/gql';
import { describeError, gqlRequest } from '@/lib/graphql';
import { useSession } from '@/lib/session';

const RedeemDoc = graphql(`
  mutation RedeemSignInCode($code: String!) {
    redeemSignInCode(code: $code) {
      token
      apiToken {
        name
        role
      }
    }
  }
`);

/** The first-start link: the code is spent on the first visit, and the fragment is removed from the address bar. */
function FirstSignIn({ code }: { code: string }) {
  const { signIn } = useSession();
  const started = useRef(false);
  const [state, setState] = useState<{ name: string } | { error: string } | null>(null);
  useEffect(() => {
    if (started.current) return;
    started.current = true;
    window.history.replaceState(null, '', '/sign-in');
    gqlRequest(RedeemDoc, { code }, { token: null })
      .then(async (d) => {
        await signIn(d.redeemSignInCode.token);
        setState({ name: d.redeemSignInCode.apiToken.name });
      })
      .catch((err: unknown) => setState({ error: describeError(err) }));
  }, [code, signIn]);
  if (!state) return <div className="alert alert-info">Signing in with the first-start link…</div>;
  if ('error' in state) {
    return (
      <div id="signin-error" className="alert alert-error" role="alert">
        <strong>This sign-in link did not work</strong> {state.error}
      </div>
    );
  }
  return (
    <section className="card stack" data-testid="first-run" aria-labelledby="first-run-h">
      <h2 id="first-run-h">Welcome: you are the first admin</h2>
      <p>
        You are signed in as <strong>{state.name}</strong> with the ADMIN role. The link you used is spent: its token
        lives only in this browser now and will not be shown again.
      </p>
      <ol className="stack" style={{ margin: 0, paddingLeft: '1.2rem' }}>
        <li>
          <Link href="/tokens">Create tokens</Link> for the people and scripts that use Accrete (EDITOR to train and
          import, READER to browse).
        </li>
        <li>
          <Link href="/datasets">Import a dataset</Link>: a folder of <code>&lt;class&gt;/</code> directories, or{' '}
          <code>train/</code> and <code>val/</code> with class directories inside; the import shows a preview first.
        </li>
        <li>
          <Link href="/training">Train a new version</Link> from the base model.
        </li>
      </ol>
    </section>
  );
}

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
  const [code, setCode] = useState<string | null>(null);
  useEffect(() => {
    const m = /^#code=([\w-]+)$/.exec(window.location.hash);
    if (m) setCode(m[1]!);
  }, []);

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
      <PageHeader
        title="Sign in"
        description="Paste an API token. Readers can browse; editors and admins can also train, import and move aliases."
      />
      {code && <FirstSignIn code={code} />}
      {!code && viewer?.role && token && (
        <div className="alert alert-info" style={{ marginBottom: '1rem' }}>
          <strong>
            Signed in as {viewer.name} ({viewer.role.toLowerCase()})
          </strong>
          <button type="button" className="btn btn-sm" onClick={signOut}>
            Sign out
          </button>
        </div>
      )}
      {!code && (
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
              Ask an admin for one, or create one with{' '}
              <code>node --import tsx tools/create-token.ts --name me --role ADMIN</code> (it works while the API runs).
              The first start of the API prints a one-time sign-in link instead. The token stays in this browser only.
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
      )}
    </div>
  );
}
