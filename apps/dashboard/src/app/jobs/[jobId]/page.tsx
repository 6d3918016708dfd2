'use client';
// Live training job: phase, percent, ETA and loss curve, polled every second until the job ends.
import Link from 'next/link';
import { useParams } from 'next/navigation';
import { useState } from 'react';
import { LineChart } from '@/components/charts';
import { ConfirmDialog, ErrorBox, Loading, PageHeader, ProgressBar, Stat, StatusBadge } from '@/components/ui';
import { graphql } from '@/gql';
import type { TrainingJobQuery } from '@/gql/graphql';
import { dateTime, duration, pct } from '@/lib/format';
import { useMutation, useQuery } from '@/lib/hooks';
import { useSession } from '@/lib/session';

const JobDoc = graphql(`
  query TrainingJob($id: ID!) {
    trainingJob(id: $id) {
      id
      status
      phase
      progress
      percent
      etaSeconds
      losses {
        phase
        step
        loss
      }
      error
      strategy
      growth {
        ...GrowthFields
      }
      attempts
      cancelRequested
      queuedAt
      startedAt
      heartbeatAt
      finishedAt
      version {
        id
        number
        status
        classCount
        model {
          id
          name
        }
      }
      parentVersion {
        id
        number
        classCount
      }
    }
  }
`);

const CancelDoc = graphql(`
  mutation CancelTrainingJob($id: ID!) {
    cancelTrainingJob(id: $id) {
      id
      status
      cancelRequested
    }
  }
`);

const ACTIVE = ['QUEUED', 'RUNNING'];
const PHASE_COLORS = ['var(--chart-new)', 'var(--chart-old)', 'var(--chart-all)', 'var(--user)'];

type Job = TrainingJobQuery['trainingJob'];

/** "daisy → daisy (unit 985)": the label, the class it was merged into (the server resolves its name), its unit. */
function mergeText(m: Job['growth']['merges'][number]) {
  const unit = m.outputUnit !== null ? ` (unit ${m.outputUnit})` : '';
  return `${m.label} → ${m.classNode?.name ?? 'an existing class'}${unit}`;
}

export default function JobPage() {
  const { jobId } = useParams<{ jobId: string }>();
  const q = useQuery(
    JobDoc,
    { id: jobId },
    { pollMs: (d) => (!d || ACTIVE.includes(d.trainingJob.status) ? 1000 : undefined) },
  );
  const j = q.data?.trainingJob;
  if (q.error && !j) return <ErrorBox error={q.error} title="Cannot load this job" onRetry={q.refetch} />;
  if (!j) return <Loading label="Loading job…" />;
  return <JobView j={j} refetch={q.refetch} pollError={q.error} />;
}

function JobView({ j, refetch, pollError }: { j: Job; refetch: () => Promise<void>; pollError: unknown }) {
  const { canEdit } = useSession();
  const cancel = useMutation(CancelDoc);
  const [confirm, setConfirm] = useState(false);
  const p = j.growth;
  const loss = j.losses;
  const phases = [...new Set(loss.map((l) => l.phase))];
  const active = ACTIVE.includes(j.status);

  return (
    <>
      <PageHeader
        crumbs={[{ href: '/training', label: 'Training' }, { label: `Job ${j.id.slice(0, 8)}` }]}
        title={
          <span className="row" style={{ gap: '0.6rem' }}>
            Training {j.version.model.name} v{j.version.number} <StatusBadge status={j.status} />
          </span>
        }
        description={
          <>
            From <Link href={`/versions/${j.parentVersion.id}`}>v{j.parentVersion.number}</Link> with the {j.strategy}{' '}
            strategy: {p.newLabels.length} new class
            {p.newLabels.length === 1 ? '' : 'es'}
            {p.mergedLabels.length ? `, ${p.mergedLabels.length} merged` : ''}.
          </>
        }
        actions={
          canEdit && active ? (
            <button type="button" className="btn" disabled={j.cancelRequested} onClick={() => setConfirm(true)}>
              {j.cancelRequested ? 'Cancelling…' : 'Cancel job'}
            </button>
          ) : undefined
        }
      />
      <div className="stack">
        {pollError ? <ErrorBox error={pollError} title="Lost contact with the API (retrying)" /> : null}
        <section className="card" aria-labelledby="prog-h">
          <div className="card-head">
            <h2 id="prog-h">Progress</h2>
            <span className="small muted" aria-live="polite" data-testid="job-status">
              {j.status.toLowerCase()} · {j.phase}
            </span>
          </div>
          <ProgressBar value={j.progress} label="Training progress" />
          <dl className="stats" style={{ marginTop: '1rem' }}>
            <Stat label="Phase" value={j.phase} />
            <Stat label="Done" value={pct(j.progress, 0)} />
            <Stat label="Time left" value={active ? duration(j.etaSeconds) : '—'} />
            <Stat
              label="Elapsed"
              value={
                j.startedAt
                  ? duration(
                      ((j.finishedAt ? new Date(j.finishedAt) : new Date()).getTime() -
                        new Date(j.startedAt).getTime()) /
                        1000,
                    )
                  : '—'
              }
            />
          </dl>
          {j.status === 'SUCCEEDED' && (
            <div className="alert alert-ok" role="status" style={{ marginTop: '1rem' }} data-testid="job-done">
              <strong>
                v{j.version.number} is {j.version.status}
              </strong>
              {j.version.classCount} classes.{' '}
              <Link href={`/versions/${j.version.id}`} className="btn btn-sm btn-primary">
                Open v{j.version.number}
              </Link>
            </div>
          )}
          {j.status === 'FAILED' && (
            <div className="alert alert-error" role="alert" style={{ marginTop: '1rem' }}>
              <strong>The job failed</strong>
              {j.error ?? 'No reason recorded.'}
            </div>
          )}
          {j.status === 'CANCELLED' && (
            <div className="alert alert-warn" role="status" style={{ marginTop: '1rem' }}>
              <strong>Cancelled</strong>
              The version was not published.
            </div>
          )}
        </section>

        <div className="grid-2">
          <section className="card" aria-labelledby="loss-h" data-testid="loss-curve">
            <h2 id="loss-h">Loss</h2>
            {loss.length === 0 ? (
              <p className="muted small">{active ? 'The curve appears when fitting starts.' : 'No loss recorded.'}</p>
            ) : (
              <LineChart
                title="Training loss per step"
                xLabel="step"
                series={phases.map((ph, i) => ({
                  name: ph,
                  color: PHASE_COLORS[i % PHASE_COLORS.length]!,
                  points: loss.filter((l) => l.phase === ph).map((l) => ({ x: l.step, y: l.loss })),
                }))}
              />
            )}
          </section>
          <section className="card" aria-labelledby="det-h">
            <h2 id="det-h">Details</h2>
            <dl className="kv">
              <dt>Job</dt>
              <dd className="mono small">{j.id}</dd>
              <dt>New classes</dt>
              <dd>{p.newLabels.join(', ') || '—'}</dd>
              <dt>Merged</dt>
              <dd data-testid="job-merges">{p.merges.map(mergeText).join(', ') || '—'}</dd>
              <dt>Retention knob</dt>
              <dd>{p.options.retentionKnob ?? 'default'}</dd>
              <dt>Epochs / augmentations</dt>
              <dd>
                {p.options.epochs ?? 'default'} / {p.options.augmentations ?? 'default'}
              </dd>
              <dt>Views</dt>
              <dd>{p.options.views ?? 'default'}</dd>
              <dt>Attempts</dt>
              <dd>{j.attempts}</dd>
              <dt>Queued</dt>
              <dd>{dateTime(j.queuedAt)}</dd>
              <dt>Started</dt>
              <dd>{dateTime(j.startedAt)}</dd>
              <dt>Finished</dt>
              <dd>{dateTime(j.finishedAt)}</dd>
            </dl>
          </section>
        </div>
      </div>
      <ConfirmDialog
        open={confirm}
        title="Cancel this job?"
        confirmLabel="Cancel job"
        danger
        busy={cancel.loading}
        error={cancel.error}
        onCancel={() => setConfirm(false)}
        onConfirm={async () => {
          try {
            await cancel.mutate({ id: j.id });
            setConfirm(false);
            await refetch();
          } catch {
            // shown in the dialog
          }
        }}
      >
        <p>The job stops at its next checkpoint and v{j.version.number} is not published. The parent is unaffected.</p>
      </ConfirmDialog>
    </>
  );
}
