'use client';
// API tokens (ADMIN): who can use the API, with which role; create one (the secret is shown once) or revoke one.
import Link from 'next/link';
import { useState, type FormEvent } from 'react';
import { Badge, ConfirmDialog, Empty, ErrorBox, Loading, PageHeader, QueryView } from '@/components/ui';
import { graphql } from '@/gql';
import type { Role, TokensQuery } from '@/gql/graphql';
import { dateTime, relative } from '@/lib/format';
import { useMutation, useQuery } from '@/lib/hooks';
import { useSession } from '@/lib/session';

const TokensDoc = graphql(`
  query Tokens($includeRevoked: Boolean) {
    apiTokens(first: 100, filter: { includeRevoked: $includeRevoked }) {
      totalCount
      nodes {
        id
        name
        role
        prefix
        createdAt
        lastUsedAt
        revokedAt
        expiresAt
      }
    }
  }
`);

const CreateTokenDoc = graphql(`
  mutation CreateApiToken($input: CreateApiTokenInput!) {
    createApiToken(input: $input) {
      token
      apiToken {
        id
        name
        role
      }
    }
  }
`);

const RevokeTokenDoc = graphql(`
  mutation RevokeApiToken($id: ID!) {
    revokeApiToken(id: $id) {
      id
      revokedAt
    }
  }
`);

type Token = TokensQuery['apiTokens']['nodes'][number];

export default function TokensPage() {
  const { ready, isAdmin, viewer } = useSession();
  const [includeRevoked, setIncludeRevoked] = useState(false);
  const q = useQuery(TokensDoc, { includeRevoked }, { skip: !isAdmin });
  const revoke = useMutation(RevokeTokenDoc);
  const [pending, setPending] = useState<Token | null>(null);

  if (!ready) return <Loading />;
  if (!isAdmin)
    return (
      <>
        <PageHeader title="API tokens" />
        <div className="alert alert-info">
          <strong>Admins only</strong>
          Managing tokens needs an ADMIN token. <Link href="/sign-in">Sign in</Link>.
        </div>
      </>
    );

  return (
    <>
      <PageHeader
        title="API tokens"
        description="Tokens are shown once when created; only their hash is stored. READER reads, EDITOR also trains, imports and moves aliases, ADMIN also manages tokens."
      />
      <div className="stack">
        <CreateToken onCreated={q.refetch} />
        <section className="card" aria-labelledby="tok-h">
          <div className="card-head">
            <h2 id="tok-h">Tokens</h2>
            <label className="row small" style={{ gap: '0.35rem' }}>
              <input type="checkbox" checked={includeRevoked} onChange={(e) => setIncludeRevoked(e.target.checked)} />{' '}
              show revoked
            </label>
          </div>
          <QueryView state={q} loadingLabel="Loading tokens…">
            {(d) =>
              d.apiTokens.nodes.length === 0 ? (
                <Empty>No token.</Empty>
              ) : (
                <div className="table-wrap">
                  <table className="table">
                    <thead>
                      <tr>
                        <th scope="col">Name</th>
                        <th scope="col">Role</th>
                        <th scope="col">Prefix</th>
                        <th scope="col">Created</th>
                        <th scope="col">Last used</th>
                        <th scope="col">Expires</th>
                        <th scope="col">
                          <span className="visually-hidden">Actions</span>
                        </th>
                      </tr>
                    </thead>
                    <tbody>
                      {d.apiTokens.nodes.map((t) => (
                        <tr key={t.id}>
                          <td>
                            <strong>{t.name}</strong>{' '}
                            {t.name === viewer?.name && !t.revokedAt && <Badge tone="alias">probably you</Badge>}
                          </td>
                          <td>
                            <Badge tone={t.role === 'ADMIN' ? 'danger' : t.role === 'EDITOR' ? 'info' : undefined}>
                              {t.role.toLowerCase()}
                            </Badge>
                          </td>
                          <td className="mono small">{t.prefix}…</td>
                          <td className="small">{dateTime(t.createdAt)}</td>
                          <td className="small">{t.lastUsedAt ? relative(t.lastUsedAt) : 'never'}</td>
                          <td className="small">
                            {t.expiresAt ? (
                              new Date(t.expiresAt).getTime() <= Date.now() ? (
                                <Badge>expired {relative(t.expiresAt)}</Badge>
                              ) : (
                                dateTime(t.expiresAt)
                              )
                            ) : (
                              'never'
                            )}
                          </td>
                          <td>
                            {t.revokedAt ? (
                              <Badge>revoked {relative(t.revokedAt)}</Badge>
                            ) : (
                              <button
                                type="button"
                                className="btn btn-sm"
                                onClick={() => (revoke.reset(), setPending(t))}
                              >
                                Revoke
                              </button>
                            )}
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              )
            }
          </QueryView>
        </section>
      </div>
      <ConfirmDialog
        open={pending !== null}
        title={`Revoke “${pending?.name}”?`}
        confirmLabel="Revoke"
        danger
        busy={revoke.loading}
        error={revoke.error}
        onCancel={() => setPending(null)}
        onConfirm={async () => {
          if (!pending) return;
          try {
            await revoke.mutate({ id: pending.id });
            setPending(null);
            await q.refetch();
          } catch {
            // shown in the dialog
          }
        }}
      >
        <p>Every client using this token loses access at once. This cannot be undone.</p>
        {pending?.name === viewer?.name && (
          <p className="small">This looks like the token you are signed in with: you would be signed out.</p>
        )}
      </ConfirmDialog>
    </>
  );
}

function CreateToken({ onCreated }: { onCreated: () => Promise<void> }) {
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('READER');
  const [expiresInDays, setExpiresInDays] = useState('');
  const [secret, setSecret] = useState<{ token: string; name: string } | null>(null);
  const [copied, setCopied] = useState(false);
  const create = useMutation(CreateTokenDoc);
  async function submit(e: FormEvent) {
    e.preventDefault();
    setCopied(false);
    try {
      const days = Number(expiresInDays);
      const expiresAt = expiresInDays && days > 0 ? new Date(Date.now() + days * 86_400_000).toISOString() : null;
      const r = await create.mutate({ input: { name: name.trim(), role, expiresAt } });
      setSecret({ token: r.createApiToken.token, name: r.createApiToken.apiToken.name });
      setName('');
      await onCreated();
    } catch {
      // shown below
    }
  }
  return (
    <form className="card stack" onSubmit={submit} aria-labelledby="nt-h">
      <h2 id="nt-h">New token</h2>
      <div className="form-grid">
        <div className="field">
          <label htmlFor="nt-name">Name (who uses it)</label>
          <input
            id="nt-name"
            type="text"
            value={name}
            onChange={(e) => setName(e.target.value)}
            required
            maxLength={100}
          />
        </div>
        <div className="field">
          <label htmlFor="nt-role">Role</label>
          <select id="nt-role" value={role} onChange={(e) => setRole(e.target.value as Role)}>
            <option value="READER">reader</option>
            <option value="EDITOR">editor</option>
            <option value="ADMIN">admin</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="nt-expires">Expires after (days, empty: never)</label>
          <input
            id="nt-expires"
            type="number"
            min={1}
            max={36500}
            step={1}
            value={expiresInDays}
            onChange={(e) => setExpiresInDays(e.target.value)}
          />
        </div>
      </div>
      {create.error ? <ErrorBox error={create.error} title="Not created" /> : null}
      {secret && (
        <div className="alert alert-ok" role="status">
          <strong>Token for {secret.name} — copy it now, it is not shown again</strong>
          <div className="row">
            <code style={{ overflowWrap: 'anywhere' }} data-testid="new-token">
              {secret.token}
            </code>
            <button
              type="button"
              className="btn btn-sm"
              onClick={async () => {
                await navigator.clipboard?.writeText(secret.token).catch(() => undefined);
                setCopied(true);
              }}
            >
              {copied ? 'Copied' : 'Copy'}
            </button>
          </div>
        </div>
      )}
      <div>
        <button type="submit" className="btn btn-primary" disabled={create.loading || !name.trim()}>
          {create.loading && <span className="spinner" aria-hidden="true" />} Create token
        </button>
      </div>
    </form>
  );
}
