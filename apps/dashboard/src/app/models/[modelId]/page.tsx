'use client';
// Model page: version lineage (graph), versions table, aliases with their history and a Rollback button.
import Link from 'next/link';
import { useParams } from 'next/navigation';
import { useState } from 'react';
import { LineageGraph, type LineageVersion } from '@/components/lineage';
import { Badge, ConfirmDialog, Empty, ErrorBox, Loading, PageHeader, StatusBadge } from '@/components/ui';
import { graphql } from '@/gql';
import type { ModelPageQuery } from '@/gql/graphql';
import { dateTime, num, pct, plural, points, relative } from '@/lib/format';
import { useMutation, useQuery } from '@/lib/hooks';
import { useSession } from '@/lib/session';

const ModelPageDoc = graphql(`
  query ModelPage($id: ID!) {
    model(id: $id) {
      id
      name
      description
      createdAt
      backbone {
        name
        inputSize
        bottleneckDim
      }
      aliases {
        id
        name
        updatedAt
        version {
          id
          number
        }
        rollbackTarget {
          id
          number
        }
        history(first: 30) {
          pageInfo {
            hasNextPage
          }
          nodes {
            id
            action
            actor
            createdAt
            fromVersion {
              id
              number
            }
            toVersion {
              id
              number
            }
          }
        }
      }
      versions(first: 50) {
        totalCount
        nodes {
          id
          number
          status
          classCount
          strategy
          growth {
            newLabels
            mergedLabels
          }
          createdAt
          readyAt
          parent {
            id
            number
          }
          aliases {
            name
          }
          added: classes(filter: { added: true }, first: 8) {
            totalCount
            nodes {
              classNode {
                name
              }
            }
          }
          evaluation(name: "val") {
            summary {
              name
              value
            }
          }
          retention: evaluation(name: "imagenet-retention") {
            imagenetRetention {
              images
              top1
              sinceBase {
                dropPoints
              }
            }
          }
        }
      }
    }
  }
`);

const RollbackAliasDoc = graphql(`
  mutation RollbackAlias($input: RollbackAliasInput!) {
    rollbackAlias(input: $input) {
      id
      name
      version {
        id
        number
      }
    }
  }
`);

type ModelData = ModelPageQuery['model'];
type AliasData = ModelData['aliases'][number];

export default function ModelPage() {
  const { modelId } = useParams<{ modelId: string }>();
  const q = useQuery(ModelPageDoc, { id: modelId });
  const { canEdit } = useSession();
  const m = q.data?.model;

  if (q.error && !m) return <ErrorBox error={q.error} title="Cannot load this model" onRetry={q.refetch} />;
  if (!m) return <Loading label="Loading model…" />;

  const lineage: LineageVersion[] = m.versions.nodes.map((v) => {
    const p = v.growth;
    return {
      id: v.id,
      number: v.number,
      parentId: v.parent?.id ?? null,
      status: v.status,
      strategy: v.strategy ?? null,
      classCount: v.classCount,
      addedCount: v.added.totalCount || p.newLabels.length,
      mergedCount: p.mergedLabels.length,
      addedNames: [
        ...(v.added.nodes.length ? v.added.nodes.map((c) => c.classNode.name) : p.newLabels),
        ...p.mergedLabels.map((l) => `${l} (merged)`),
      ],
      aliases: v.aliases.map((a) => a.name),
    };
  });

  return (
    <>
      <PageHeader
        crumbs={[{ href: '/models', label: 'Models' }, { label: m.name }]}
        title={m.name}
        description={
          m.description ||
          `Backbone ${m.backbone.name} (${m.backbone.inputSize}px, ${m.backbone.bottleneckDim}-d bottleneck) · created ${dateTime(m.createdAt)}`
        }
        actions={
          canEdit ? (
            <Link href={`/training?model=${m.id}`} className="btn btn-primary">
              New version
            </Link>
          ) : undefined
        }
      />
      <div className="stack">
        <section className="card" aria-labelledby="lineage-h">
          <div className="card-head">
            <h2 id="lineage-h">Lineage</h2>
            <span className="muted small">{plural(m.versions.totalCount, 'version')} · parent → child</span>
          </div>
          {lineage.length ? <LineageGraph versions={lineage} /> : <Empty>No versions.</Empty>}
        </section>

        <section className="card" aria-labelledby="aliases-h">
          <div className="card-head">
            <h2 id="aliases-h">Aliases</h2>
          </div>
          {m.aliases.length === 0 ? (
            <Empty>No aliases. Point one at a READY version from its page.</Empty>
          ) : (
            <AliasList model={m} onChanged={q.refetch} />
          )}
        </section>

        <section className="card" aria-labelledby="versions-h">
          <div className="card-head">
            <h2 id="versions-h">Versions</h2>
          </div>
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Version</th>
                  <th scope="col">Status</th>
                  <th scope="col">Parent</th>
                  <th scope="col">Classes added</th>
                  <th scope="col">Strategy</th>
                  <th scope="col" className="num">
                    Classes
                  </th>
                  <th
                    scope="col"
                    className="num"
                    title="On the validation split of the dataset the version was grown with (the base has none)"
                  >
                    Top-1 (val)
                  </th>
                  <th
                    scope="col"
                    className="num"
                    title="On the held-out ImageNet photos every version, the base included, is scored on"
                  >
                    Top-1 ImageNet
                  </th>
                  <th
                    scope="col"
                    className="num"
                    title="Top-1 lost on the held-out ImageNet photos since the base model"
                  >
                    ImageNet drop since base
                  </th>
                  <th scope="col">Created</th>
                </tr>
              </thead>
              <tbody>
                {m.versions.nodes.map((v) => {
                  const top1 = v.evaluation?.summary.find((s) => s.name === 'overall.top1')?.value;
                  const imagenet = v.retention?.imagenetRetention;
                  const l = lineage.find((x) => x.id === v.id)!;
                  return (
                    <tr key={v.id}>
                      <td>
                        <Link href={`/versions/${v.id}`}>
                          <strong>v{v.number}</strong>
                        </Link>{' '}
                        {v.aliases.map((a) => (
                          <Badge key={a.name} tone="alias">
                            {a.name}
                          </Badge>
                        ))}
                      </td>
                      <td>
                        <StatusBadge status={v.status} />
                      </td>
                      <td>
                        {v.parent ? (
                          <Link href={`/versions/${v.parent.id}`}>v{v.parent.number}</Link>
                        ) : (
                          <span className="muted">—</span>
                        )}
                      </td>
                      <td className="small">
                        {l.addedNames.length ? (
                          l.addedNames.slice(0, 5).join(', ') + (l.addedCount + l.mergedCount > 5 ? '…' : '')
                        ) : (
                          <span className="muted">—</span>
                        )}
                      </td>
                      <td className="small">{v.strategy ?? <span className="muted">imported</span>}</td>
                      <td className="num">{num(v.classCount)}</td>
                      <td className="num" data-testid={`val-top1-v${v.number}`}>
                        {top1 !== undefined ? (
                          pct(top1)
                        ) : (
                          // an imported base was not grown from a dataset: no validation split to score
                          <span
                            className="muted small"
                            title={
                              v.parent
                                ? 'No validation evaluation recorded'
                                : 'Not measured for the base model: it was imported, not grown from a dataset'
                            }
                          >
                            {v.parent ? '—' : 'n/a (base)'}
                          </span>
                        )}
                      </td>
                      <td className="num" data-testid={`imagenet-top1-v${v.number}`}>
                        {imagenet?.images ? (
                          pct(imagenet.top1)
                        ) : (
                          <span className="muted small" title="No score on the held-out ImageNet photos recorded">
                            not measured
                          </span>
                        )}
                      </td>
                      <td className="num">{points(v.retention?.imagenetRetention?.sinceBase?.dropPoints)}</td>
                      <td className="small nowrap" title={dateTime(v.createdAt)}>
                        {relative(v.createdAt)}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        </section>
      </div>
    </>
  );
}

function AliasList({ model, onChanged }: { model: ModelData; onChanged: () => Promise<void> }) {
  const { canEdit } = useSession();
  const rollback = useMutation(RollbackAliasDoc);
  const [pending, setPending] = useState<AliasData | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const pendingTarget = pending?.rollbackTarget ?? null;

  return (
    <div className="stack">
      {done && (
        <div className="alert alert-ok" role="status">
          {done}
        </div>
      )}
      <div className="grid-2">
        {model.aliases.map((a) => {
          const prev = a.rollbackTarget; // the server's rule, not re-derived here
          const canRollBack = prev !== null;
          return (
            <article
              key={a.id}
              className="card"
              style={{ boxShadow: 'none' }}
              aria-labelledby={`alias-${a.id}`}
              data-testid={`alias-${a.name}`}
            >
              <div className="card-head">
                <h3 id={`alias-${a.id}`}>
                  <Badge tone="alias">{a.name}</Badge> →{' '}
                  <Link href={`/versions/${a.version.id}`} data-testid="alias-target">
                    v{a.version.number}
                  </Link>
                </h3>
                {canEdit && (
                  <button
                    type="button"
                    className="btn btn-sm"
                    disabled={!canRollBack}
                    title={prev ? `Move ${a.name} back to v${prev.number}` : 'No earlier target in the history'}
                    onClick={() => {
                      rollback.reset();
                      setDone(null);
                      setPending(a);
                    }}
                  >
                    ↶ Rollback
                  </button>
                )}
              </div>
              <p className="muted small">Moved {relative(a.updatedAt)}</p>
              <h4 className="small muted" style={{ margin: '0 0 0.4rem' }}>
                History
              </h4>
              <ol className="timeline small" aria-label={`History of ${a.name}`}>
                {a.history.nodes.map((e) => (
                  <li key={e.id} className={e.action === 'ROLLBACK' ? 'rollback' : undefined}>
                    <strong>{e.action === 'ROLLBACK' ? 'Rolled back' : 'Set'}</strong>{' '}
                    {e.fromVersion ? (
                      <>
                        v{e.fromVersion.number} →{' '}
                        <Link href={`/versions/${e.toVersion.id}`}>v{e.toVersion.number}</Link>
                      </>
                    ) : (
                      <>
                        to <Link href={`/versions/${e.toVersion.id}`}>v{e.toVersion.number}</Link>
                      </>
                    )}{' '}
                    <span className="muted">
                      by {e.actor} · {dateTime(e.createdAt)}
                    </span>
                  </li>
                ))}
              </ol>
            </article>
          );
        })}
      </div>
      <ConfirmDialog
        open={pending !== null}
        title={`Roll back “${pending?.name}”?`}
        confirmLabel="Roll back"
        danger
        busy={rollback.loading}
        error={rollback.error}
        onCancel={() => setPending(null)}
        onConfirm={async () => {
          if (!pending) return;
          try {
            const r = await rollback.mutate({ input: { modelId: model.id, name: pending.name } });
            setPending(null);
            setDone(`“${r.rollbackAlias.name}” now points at v${r.rollbackAlias.version.number}.`);
            await onChanged();
          } catch {
            // shown in the dialog
          }
        }}
      >
        <p>
          <strong>{pending?.name}</strong> points at v{pending?.version.number}. Rolling back moves it to{' '}
          <strong>{pendingTarget ? `v${pendingTarget.number}` : 'its previous target'}</strong>. Clients that predict
          with this alias switch at once.
        </p>
      </ConfirmDialog>
    </div>
  );
}
