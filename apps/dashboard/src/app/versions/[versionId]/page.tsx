'use client';
// Version page: what this version is (classes, strategy, lineage), how it scores (old/new/overall accuracy,
// retention vs its parent, per-class accuracy, confusions of the new classes) and how it differs from any other.
import Link from 'next/link';
import { useParams } from 'next/navigation';
import { useMemo, useState } from 'react';
import { BarList, GroupedBarChart, Heatmap } from '@/components/charts';
import {
  Badge,
  ConfirmDialog,
  Empty,
  ErrorBox,
  Loading,
  PageHeader,
  ProgressBar,
  Stat,
  StatusBadge,
  Tabs,
} from '@/components/ui';
import { ExportDownload } from '@/components/export-download';
import { graphql } from '@/gql';
import type { VersionPageQuery } from '@/gql/graphql';
import { dateTime, dropOrGain, duration, num, pct, plural, points } from '@/lib/format';
import { useMutation, useQuery } from '@/lib/hooks';
import { newClassConfusions, oldAsNewConfusions, type ValReport } from '@/lib/metrics';
import { useSession } from '@/lib/session';
import { CompareVersions } from './compare';

const VersionPageDoc = graphql(`
  query VersionPage($id: ID!) {
    modelVersion(id: $id) {
      id
      number
      status
      classCount
      strategy
      growth {
        ...GrowthFields
      }
      note
      error
      createdAt
      readyAt
      artifactSha256
      exportUrl
      model {
        id
        name
        aliases {
          name
          version {
            id
            number
          }
        }
        versions(first: 100) {
          nodes {
            id
            number
            status
          }
        }
      }
      parent {
        id
        number
        classCount
      }
      children {
        id
        number
        status
      }
      datasetVersion {
        id
        number
        imageCount
        dataset {
          id
          name
        }
      }
      aliases {
        id
        name
      }
      added: classes(filter: { added: true }, first: 100) {
        totalCount
        nodes {
          outputUnit
          classNode {
            id
            name
            origin
            path
          }
        }
      }
      evaluations {
        id
        name
        createdAt
        validation {
          ...ValidationReportFields
        }
        imagenetRetention {
          images
          top1
          top5
          parentTop1
          parentTop5
          retention
          agreement
          predictedAsAdded
          sinceBase {
            images
            baseTop1
            top1
            dropPoints
            takenOverUnits
          }
        }
      }
      latestJob {
        id
        status
        phase
        progress
        etaSeconds
      }
    }
  }
`);

const SetAliasDoc = graphql(`
  mutation SetAlias($input: SetAliasInput!) {
    setAlias(input: $input) {
      id
      name
      version {
        id
        number
      }
    }
  }
`);

type Version = VersionPageQuery['modelVersion'];
type Retention = Version['evaluations'][number]['imagenetRetention'];

export default function VersionPage() {
  const { versionId } = useParams<{ versionId: string }>();
  const active = (d: VersionPageQuery | undefined) => d && ['PENDING', 'TRAINING'].includes(d.modelVersion.status);
  const q = useQuery(VersionPageDoc, { id: versionId }, { pollMs: (d) => (active(d) ? 2000 : undefined) });
  const v = q.data?.modelVersion;
  if (q.error && !v) return <ErrorBox error={q.error} title="Cannot load this version" onRetry={q.refetch} />;
  if (!v) return <Loading label="Loading version…" />;
  return <VersionView v={v} refetch={q.refetch} />;
}

function VersionView({ v, refetch }: { v: Version; refetch: () => Promise<void> }) {
  const params = v.growth;
  const validation = v.evaluations.find((e) => e.validation)?.validation ?? null;
  // Retention on the val split only means something when it had images of old classes.
  const report: ValReport | null = validation
    ? { ...validation, retention: validation.retention?.count ? validation.retention : null }
    : null;
  const retention = v.evaluations.find((e) => e.imagenetRetention)?.imagenetRetention ?? null;
  const parentClasses = v.parent?.classCount ?? 0;
  // "New" units of this growth: appended units and the existing units that received merged labels.
  const newUnits = useMemo(() => {
    const s = new Set<number>();
    for (const c of v.added.nodes) s.add(c.outputUnit);
    for (const m of params.merges) if (m.outputUnit !== null) s.add(m.outputUnit);
    if (s.size === 0 && report && v.parent) for (const c of report.perClass) if (c.unit >= parentClasses) s.add(c.unit);
    return s;
  }, [v.added.nodes, params.merges, report, v.parent, parentClasses]);

  return (
    <>
      <PageHeader
        crumbs={[
          { href: '/models', label: 'Models' },
          { href: `/models/${v.model.id}`, label: v.model.name },
          { label: `v${v.number}` },
        ]}
        title={
          <span className="row" style={{ gap: '0.6rem' }}>
            {v.model.name} v{v.number} <StatusBadge status={v.status} />
            {v.aliases.map((a) => (
              <Badge key={a.id} tone="alias">
                {a.name}
              </Badge>
            ))}
          </span>
        }
        description={
          v.note ||
          (v.parent
            ? `Grown from v${v.parent.number}${v.strategy ? ` with the ${v.strategy} strategy` : ''}.`
            : 'Imported base version.')
        }
        actions={<VersionActions v={v} onChanged={refetch} />}
      />
      <div className="stack">
        {v.status === 'FAILED' && (
          <div className="alert alert-error" role="alert">
            <strong>Training failed</strong>
            {v.error ?? 'No reason recorded.'}
          </div>
        )}
        {(v.status === 'PENDING' || v.status === 'TRAINING') && v.latestJob && (
          <div className="alert alert-info">
            <strong>
              Training: {v.latestJob.phase} — {pct(v.latestJob.progress, 0)}
              {v.latestJob.etaSeconds != null ? `, about ${duration(v.latestJob.etaSeconds)} left` : ''}
            </strong>
            <ProgressBar value={v.latestJob.progress} label="Training progress" />
            <p style={{ margin: '0.5rem 0 0' }}>
              <Link href={`/jobs/${v.latestJob.id}`}>Follow the job →</Link>
            </p>
          </div>
        )}

        <dl className="stats">
          <Stat
            label="Classes"
            value={num(v.classCount)}
            hint={v.parent ? `parent ${num(v.parent.classCount)}` : undefined}
          />
          <Stat
            label="Classes added"
            value={num(v.added.totalCount)}
            hint={params.mergedLabels.length ? `+${params.mergedLabels.length} merged` : undefined}
          />
          {v.parent && (
            <>
              <Stat
                label="Top-1 overall"
                value={pct(report?.overall.count ? report.overall.top1 : null)}
                hint={report ? `${num(report.overall.count)} val images` : undefined}
              />
              <Stat
                label="Top-1 new classes"
                value={pct(report?.new.count ? report.new.top1 : null)}
                hint={report ? `${num(report.new.count)} images` : undefined}
              />
              <Stat
                label="Top-1 old classes"
                value={pct(report?.old.count ? report.old.top1 : null)}
                hint={
                  report
                    ? report.old.count
                      ? `${num(report.old.count)} images`
                      : 'no old-class val images'
                    : undefined
                }
              />
            </>
          )}
          {!v.parent && (
            // an imported base has no validation split; its measured top-1 is the ImageNet card below
            <Stat
              label="Top-1 overall"
              value="n/a"
              hint="not measured for the base model: it was imported, not grown from a dataset"
            />
          )}
          {report?.parentLevel?.count ? (
            <Stat
              label="Top-1 at parent class"
              value={pct(report.parentLevel.top1)}
              hint="right up to the taxonomy parent (daisy for sunflower: both flowers)"
            />
          ) : null}
          {v.parent && (
            <Stat
              label="Retention vs parent"
              value={pct(retention?.retention ?? (report?.retention?.count ? report.retention.kept : null))}
              hint={retention ? `${num(retention.images)} ImageNet photos` : undefined}
            />
          )}
          {v.parent && retention?.sinceBase?.images ? (
            <Stat
              label="Drop since the base"
              value={points(retention.sinceBase.dropPoints)}
              hint={`top-1 ${pct(retention.sinceBase.baseTop1)} → ${pct(retention.sinceBase.top1)} on ${num(retention.sinceBase.images)} ImageNet photos, along the whole lineage`}
            />
          ) : null}
          <Stat
            label="Top-1 on held-out ImageNet photos"
            value={pct(retention?.images ? retention.top1 : null)}
            hint={
              retention?.images
                ? `top-5 ${pct(retention.top5)} · ${num(retention.images)} photos`
                : v.parent
                  ? undefined
                  : 'measured once after the first start'
            }
          />
        </dl>

        <div className="grid-2">
          <section className="card" aria-labelledby="about-h">
            <h2 id="about-h">About</h2>
            <dl className="kv">
              <dt>Parent</dt>
              <dd>{v.parent ? <Link href={`/versions/${v.parent.id}`}>v{v.parent.number}</Link> : 'none (base)'}</dd>
              <dt>Children</dt>
              <dd>
                {v.children.length
                  ? v.children.map((c, i) => (
                      <span key={c.id}>
                        {i > 0 && ', '}
                        <Link href={`/versions/${c.id}`}>v{c.number}</Link>
                      </span>
                    ))
                  : '—'}
              </dd>
              <dt>Strategy</dt>
              <dd>{v.strategy ?? '—'}</dd>
              <dt>Retention knob</dt>
              <dd>{params.options.retentionKnob ?? '—'}</dd>
              <dt>Dataset</dt>
              <dd>
                {v.datasetVersion ? (
                  <Link href={`/datasets/${v.datasetVersion.dataset.id}`}>
                    {v.datasetVersion.dataset.name} v{v.datasetVersion.number} ({num(v.datasetVersion.imageCount)}{' '}
                    images)
                  </Link>
                ) : (
                  '—'
                )}
              </dd>
              <dt>Created</dt>
              <dd>{dateTime(v.createdAt)}</dd>
              <dt>Ready</dt>
              <dd>{dateTime(v.readyAt)}</dd>
              <dt>Artifact</dt>
              <dd className="mono small">{v.artifactSha256 ? `sha256 ${v.artifactSha256.slice(0, 16)}…` : '—'}</dd>
              {v.exportUrl ? (
                <>
                  <dt>Export</dt>
                  <dd>
                    <ExportDownload exportUrl={v.exportUrl} fileName={`${v.model.name}-v${v.number}.zip`} />
                  </dd>
                </>
              ) : null}
            </dl>
          </section>
          <section className="card" aria-labelledby="added-h">
            <h2 id="added-h">Classes added</h2>
            {v.added.nodes.length === 0 && params.mergedLabels.length === 0 ? (
              <Empty>
                {v.parent ? 'No classes added.' : 'The base version: its classes come from the pretrained model.'}
              </Empty>
            ) : (
              <ul className="chip-list" aria-label="Classes added by this version">
                {v.added.nodes.map((c) => (
                  <li key={c.classNode.id}>
                    <Link href={`/taxonomy?node=${c.classNode.id}`} title={c.classNode.path.join(' › ')}>
                      <Badge tone="user">
                        {c.classNode.name} <span className="muted">#{c.outputUnit}</span>
                      </Badge>
                    </Link>
                  </li>
                ))}
                {params.merges.map((m) => (
                  <li key={`m-${m.label}`}>
                    <Badge tone="info" title="Merged into an existing class of the parent">
                      {m.label} ⇢ merged into {m.classNode?.name ?? 'a class'}
                      {m.outputUnit !== null ? <span className="muted"> #{m.outputUnit}</span> : null}
                    </Badge>
                  </li>
                ))}
              </ul>
            )}
            {v.added.totalCount > v.added.nodes.length && (
              <p className="muted small">…and {v.added.totalCount - v.added.nodes.length} more.</p>
            )}
          </section>
        </div>

        {report || (retention && v.parent) ? (
          <EvaluationCharts report={report} retention={retention} newUnits={newUnits} hasParent={!!v.parent} />
        ) : (
          <section className="card">
            <h2>Evaluation</h2>
            <Empty>
              {v.status !== 'READY'
                ? 'Evaluation appears when training finishes.'
                : v.parent
                  ? 'No evaluation recorded for this version.'
                  : retention?.images
                    ? `The base version, scored on ${num(retention.images)} held-out ImageNet photos (the retention set): every grown version is measured on the same photos and compared with these figures.`
                    : 'The base version is scored on the held-out ImageNet photos once after the first start; the figures appear here when that is done (reload).'}
            </Empty>
          </section>
        )}

        <CompareVersions
          version={{ id: v.id, number: v.number }}
          others={v.model.versions.nodes.filter((o) => o.id !== v.id)}
          defaultOther={v.parent?.id}
        />
      </div>
    </>
  );
}

function EvaluationCharts({
  report,
  retention,
  newUnits,
  hasParent,
}: {
  report: ValReport | null;
  retention: Retention;
  newUnits: Set<number>;
  hasParent: boolean;
}) {
  const [confTab, setConfTab] = useState<'new' | 'old'>('new');
  const [showAll, setShowAll] = useState(false);
  const perClass = report
    ? [...report.perClass]
        .filter((c) => c.support > 0)
        .sort(
          (a, b) =>
            Number(newUnits.has(b.unit)) - Number(newUnits.has(a.unit)) ||
            (a.recall ?? 0) - (b.recall ?? 0) ||
            a.label.localeCompare(b.label),
        )
    : [];
  const shown = showAll ? perClass : perClass.slice(0, 24);
  const conf = report
    ? confTab === 'new'
      ? newClassConfusions(report, newUnits)
      : oldAsNewConfusions(report, newUnits)
    : null;

  return (
    <>
      <div className="grid-2">
        {report && (
          <section className="card" aria-labelledby="acc-h" data-testid="chart-accuracy">
            <h2 id="acc-h">Accuracy on the validation split</h2>
            <GroupedBarChart
              title="Top-1 and top-5 accuracy on old classes, new classes and overall"
              categories={['Old classes', 'New classes', 'Overall']}
              series={[
                { name: 'Top-1', color: 'var(--chart-all)' },
                { name: 'Top-5', color: 'var(--chart-old)' },
              ]}
              values={[report.old, report.new, report.overall].map((a) => [
                a.count ? a.top1 : null,
                a.count ? a.top5 : null,
              ])}
            />
            <p className="muted small">
              {num(report.old.count)} old-class and {num(report.new.count)} new-class validation images.
            </p>
          </section>
        )}
        {hasParent && (retention || report?.retention) && (
          <section className="card" aria-labelledby="ret-h" data-testid="chart-retention">
            <h2 id="ret-h">Retention vs parent</h2>
            <GroupedBarChart
              title="Top-1 accuracy of the parent and of this version on old classes"
              categories={[
                ...(retention ? ['ImageNet photos'] : []),
                ...(report?.retention ? ['Old classes (val)'] : []),
              ]}
              series={[
                { name: 'Parent', color: 'var(--chart-ref)' },
                { name: 'This version', color: 'var(--chart-new)' },
              ]}
              values={[
                ...(retention ? [[retention.parentTop1, retention.top1]] : []),
                ...(report?.retention ? [[report.retention.parentTop1, report.retention.childTop1]] : []),
              ]}
            />
            <dl className="kv small" style={{ marginTop: '0.75rem' }}>
              {retention && (
                <>
                  <dt>Retention (top-1 / parent top-1)</dt>
                  <dd>{pct(retention.retention)}</dd>
                  <dt>Same answer as parent</dt>
                  <dd>{pct(retention.agreement)}</dd>
                  <dt>Photos taken for a new class</dt>
                  <dd>{pct(retention.predictedAsAdded)}</dd>
                  {retention.sinceBase && (
                    <>
                      <dt>Since the base (every growth of the lineage)</dt>
                      <dd>
                        {pct(retention.sinceBase.baseTop1)} → {pct(retention.sinceBase.top1)} (
                        {dropOrGain(retention.sinceBase.dropPoints)}
                        {retention.sinceBase.takenOverUnits.length
                          ? `; ${plural(retention.sinceBase.takenOverUnits.length, 'class', 'classes')} a new class took over (by default or by choice) left out`
                          : ''}
                        )
                      </dd>
                    </>
                  )}
                </>
              )}
              {report?.retention && (
                <>
                  <dt>Parent’s correct answers kept</dt>
                  <dd>{pct(report.retention.kept)}</dd>
                  <dt>Top-1 on old classes</dt>
                  <dd>{dropOrGain(report.retention.dropPoints)}</dd>
                </>
              )}
            </dl>
          </section>
        )}
      </div>

      {report?.knobTradeoff && (
        <section className="card" aria-labelledby="knob-h" data-testid="knob-tradeoff">
          <div className="card-head">
            <h2 id="knob-h">Retention knob: the trade-off of this growth</h2>
            <span className="muted small">held-out split (20 % of each class and of the rehearsal photos)</span>
          </div>
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Knob</th>
                  <th scope="col" className="num">
                    Your classes, held-out accuracy
                  </th>
                  <th scope="col" className="num">
                    Old answers changed
                  </th>
                  <th scope="col" className="num">
                    Bias shift (subtracted from new classes)
                  </th>
                </tr>
              </thead>
              <tbody>
                {report.knobTradeoff.points.map((p) => {
                  const chosen = p.knob === report.knobTradeoff!.chosenKnob;
                  return (
                    <tr key={p.knob} aria-current={chosen ? 'true' : undefined}>
                      <td>{chosen ? <strong>{p.knob} (this version)</strong> : p.knob}</td>
                      <td className="num">{pct(p.heldOutAccuracy)}</td>
                      <td className="num">{pct(p.heldOutChanged)}</td>
                      <td className="num">{p.biasShift == null ? '—' : p.biasShift.toFixed(2)}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          <p className="muted small">
            Expected figures on images the fit did not see: a higher knob keeps more of the parent&apos;s answers on old
            classes at the cost of the classes you added. Grow again from the parent with another knob to change it.
          </p>
        </section>
      )}

      {report && (
        <div className="grid-2">
          <section className="card" aria-labelledby="pc-h" data-testid="chart-per-class">
            <div className="card-head">
              <h2 id="pc-h">Per-class accuracy</h2>
              <span className="legend" style={{ margin: 0 }}>
                <span className="row" style={{ gap: '0.3rem' }}>
                  <i style={{ background: 'var(--chart-new)' }} /> new
                </span>
                <span className="row" style={{ gap: '0.3rem' }}>
                  <i style={{ background: 'var(--chart-all)' }} /> old
                </span>
              </span>
            </div>
            {perClass.length === 0 ? (
              <Empty>No per-class scores.</Empty>
            ) : (
              <>
                <BarList
                  title="Recall (top-1 accuracy) per class on the validation split"
                  items={shown.map((c) => ({
                    label: c.label,
                    value: c.recall,
                    highlight: newUnits.has(c.unit),
                    note: `${c.correct}/${c.support}`,
                  }))}
                />
                {perClass.length > shown.length || showAll ? (
                  <button
                    type="button"
                    className="btn btn-sm"
                    onClick={() => setShowAll((s) => !s)}
                    aria-expanded={showAll}
                  >
                    {showAll ? 'Show fewer' : `Show all ${perClass.length} classes`}
                  </button>
                ) : null}
              </>
            )}
          </section>
          <section className="card" aria-labelledby="conf-h" data-testid="chart-confusion">
            <div className="card-head">
              <h2 id="conf-h">Confusions</h2>
              <Tabs
                label="Confusion direction"
                value={confTab}
                onChange={setConfTab}
                tabs={[
                  { key: 'new', label: 'New classes' },
                  { key: 'old', label: 'Old → new' },
                ]}
              />
            </div>
            {conf && conf.rows.length > 0 && conf.cols.length > 0 ? (
              <Heatmap
                title={
                  confTab === 'new'
                    ? 'Share of each new class’s images predicted as another class'
                    : 'Share of old-class images predicted as a new class'
                }
                rows={conf.rows}
                cols={conf.cols}
                values={conf.values}
                counts={conf.counts}
                rowHeader={confTab === 'new' ? 'New class' : 'Old class'}
                colHeader={confTab === 'new' ? 'Taken for' : 'Taken for (new)'}
              />
            ) : (
              <Empty>
                {confTab === 'new'
                  ? 'Every validation image of the new classes was recognised.'
                  : 'No old-class image was taken for a new class.'}
              </Empty>
            )}
          </section>
        </div>
      )}
    </>
  );
}

function VersionActions({ v, onChanged }: { v: Version; onChanged: () => Promise<void> }) {
  const { canEdit } = useSession();
  const setAlias = useMutation(SetAliasDoc);
  const [open, setOpen] = useState(false);
  const [name, setName] = useState('production');
  const [done, setDone] = useState<string | null>(null);
  const current = v.model.aliases.find((a) => a.name === name);
  return (
    <>
      {done && (
        <span role="status" className="badge badge-ok">
          {done}
        </span>
      )}
      {canEdit && v.status === 'READY' && (
        <button
          type="button"
          className="btn"
          onClick={() => {
            setAlias.reset();
            setDone(null);
            setOpen(true);
          }}
        >
          Point alias here…
        </button>
      )}
      {canEdit && v.status === 'READY' && (
        <Link className="btn btn-primary" href={`/training?model=${v.model.id}&parent=${v.id}`}>
          Grow from v{v.number}
        </Link>
      )}
      <Link className="btn" href={`/playground?version=${v.id}`}>
        Try in playground
      </Link>
      <ConfirmDialog
        open={open}
        title={`Point an alias at v${v.number}`}
        confirmLabel="Move alias"
        busy={setAlias.loading}
        error={setAlias.error}
        onCancel={() => setOpen(false)}
        onConfirm={async () => {
          try {
            const r = await setAlias.mutate({ input: { modelId: v.model.id, name, versionId: v.id } });
            setOpen(false);
            setDone(`${r.setAlias.name} → v${r.setAlias.version.number}`);
            await onChanged();
          } catch {
            // shown in the dialog
          }
        }}
      >
        <div className="field">
          <label htmlFor="alias-name">Alias</label>
          <input
            id="alias-name"
            type="text"
            value={name}
            onChange={(e) => setName(e.target.value.toLowerCase())}
            list="alias-names"
            pattern="[a-z][a-z0-9_-]{0,39}"
          />
          <datalist id="alias-names">
            {v.model.aliases.map((a) => (
              <option key={a.name} value={a.name} />
            ))}
          </datalist>
          <span className="hint">
            {current
              ? `Now: ${current.name} → v${current.version.number}. The move is recorded and can be rolled back.`
              : 'A new alias will be created.'}
          </span>
        </div>
      </ConfirmDialog>
    </>
  );
}
