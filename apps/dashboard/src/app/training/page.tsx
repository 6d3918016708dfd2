'use client';
// Training: the "new version" form (parent, dataset version, labels to add with merge proposals, strategy,
// retention knob) and the list of recent jobs with their live progress.
import Link from 'next/link';
import { useRouter, useSearchParams } from 'next/navigation';
import { Suspense, useEffect, useMemo, useState, type FormEvent } from 'react';
import { Empty, ErrorBox, Loading, PageHeader, ProgressBar, QueryView, StatusBadge } from '@/components/ui';
import { graphql } from '@/gql';
import type { GrowthOptionsInput, TrainingFormQuery } from '@/gql/graphql';
import { duration, num, pct, plural, relative } from '@/lib/format';
import { useMutation, useQuery } from '@/lib/hooks';
import { useSession } from '@/lib/session';
import { classInput, DataOverlapDoc, GrowthOverlapDoc, LabelOverlapCell, type LabelChoice } from './label-overlap';

const TrainingFormDoc = graphql(`
  query TrainingForm {
    models(first: 20) {
      nodes {
        id
        name
        aliases {
          name
          version {
            id
          }
        }
        versions(first: 50, filter: { status: [READY] }) {
          nodes {
            id
            number
            classCount
            strategy
          }
        }
      }
    }
    datasets(first: 50) {
      nodes {
        id
        name
        imageCount
        versions(first: 10) {
          nodes {
            id
            number
            imageCount
            createdAt
          }
        }
      }
    }
    growthStrategies
    growthViewKinds
    growthDefaults {
      strategy
      retentionKnob
      augmentations
    }
  }
`);

const DatasetVersionLabelsDoc = graphql(`
  query DatasetVersionLabels($id: ID!) {
    datasetVersion(id: $id) {
      id
      classCounts {
        label
        train
        val
        total
      }
    }
  }
`);

const CreateVersionDoc = graphql(`
  mutation CreateModelVersion($input: CreateModelVersionInput!) {
    createModelVersion(input: $input) {
      version {
        id
        number
      }
      job {
        id
      }
      classes {
        label
        resolution
        outputUnit
        classNode {
          name
        }
      }
    }
  }
`);

const FreezeDoc = graphql(`
  mutation FreezeDatasetVersion($datasetId: ID!) {
    freezeDatasetVersion(datasetId: $datasetId) {
      id
      number
    }
  }
`);

const JobsDoc = graphql(`
  query RecentJobs {
    trainingJobs(first: 15) {
      totalCount
      nodes {
        id
        status
        phase
        progress
        etaSeconds
        strategy
        queuedAt
        finishedAt
        error
        version {
          id
          number
          model {
            id
            name
          }
        }
        parentVersion {
          id
          number
        }
      }
    }
  }
`);

const ACTIVE = ['QUEUED', 'RUNNING'];

export default function TrainingPage() {
  return (
    <>
      <PageHeader
        title="Training"
        description="Grow a new version from a READY parent: it keeps the parent’s classes and learns the labels you pick."
      />
      <div className="stack">
        <Suspense fallback={<Loading />}>
          <NewVersionForm />
        </Suspense>
        <RecentJobs />
      </div>
    </>
  );
}

function NewVersionForm() {
  const { canEdit, ready } = useSession();
  const search = useSearchParams();
  const router = useRouter();
  const q = useQuery(TrainingFormDoc, {});
  if (!ready) return <Loading />;
  if (!canEdit)
    return (
      <div className="alert alert-info">
        <strong>Read-only</strong>
        Training a new version needs an EDITOR or ADMIN token. <Link href="/sign-in">Sign in</Link>.
      </div>
    );
  return (
    <QueryView state={q} loadingLabel="Loading models and datasets…">
      {(d) => (
        <FormBody
          data={d}
          initialModel={search.get('model')}
          initialParent={search.get('parent')}
          onCreated={(jobId) => router.push(`/jobs/${jobId}`)}
          refetch={q.refetch}
        />
      )}
    </QueryView>
  );
}

function FormBody({
  data,
  initialModel,
  initialParent,
  onCreated,
  refetch,
}: {
  data: TrainingFormQuery;
  initialModel: string | null;
  initialParent: string | null;
  onCreated: (jobId: string) => void;
  refetch: () => Promise<void>;
}) {
  const models = data.models.nodes;
  const [modelId, setModelId] = useState(
    initialModel && models.some((m) => m.id === initialModel) ? initialModel : (models[0]?.id ?? ''),
  );
  const model = models.find((m) => m.id === modelId);
  const defaultParent = (m: typeof model) => {
    if (!m) return '';
    if (initialParent && m.versions.nodes.some((v) => v.id === initialParent)) return initialParent;
    const prod = m.aliases.find((a) => a.name === 'production')?.version.id;
    return prod && m.versions.nodes.some((v) => v.id === prod) ? prod : (m.versions.nodes[0]?.id ?? '');
  };
  const [parentId, setParentId] = useState(defaultParent(model));
  const [datasetId, setDatasetId] = useState(
    data.datasets.nodes.find((d) => d.versions.nodes.length > 0)?.id ?? data.datasets.nodes[0]?.id ?? '',
  );
  const dataset = data.datasets.nodes.find((d) => d.id === datasetId);
  const [dvId, setDvId] = useState(dataset?.versions.nodes[0]?.id ?? '');
  const dvMeta = dataset?.versions.nodes.find((v) => v.id === dvId);
  const labelsQ = useQuery(DatasetVersionLabelsDoc, { id: dvId }, { skip: !dvId });
  const dv =
    dvMeta && labelsQ.data?.datasetVersion.id === dvId
      ? { ...dvMeta, classCounts: labelsQ.data.datasetVersion.classCounts }
      : undefined;
  // the overlap table: name overlaps + defaults at once, data overlap polled while the API computes it
  const pair = { parentVersionId: parentId, datasetVersionId: dvId };
  const namesQ = useQuery(GrowthOverlapDoc, pair, { skip: !parentId || !dvId });
  const dataQ = useQuery(DataOverlapDoc, pair, {
    skip: !parentId || !dvId,
    pollMs: (d) => (d?.dataOverlap.status === 'RUNNING' ? 1000 : undefined),
  });
  const namesOf = new Map((namesQ.data?.growthOverlap ?? []).map((n) => [n.label, n]));
  const dataOf = new Map((dataQ.data?.dataOverlap.labels ?? []).map((l) => [l.label, l]));
  const [selected, setSelected] = useState<Record<string, boolean>>({});
  const [choices, setChoices] = useState<Record<string, LabelChoice>>({});
  const strategies = data.growthStrategies;
  // the defaults are the trainer's, served by the API: the form starts where a request without options would run
  const defaults = data.growthDefaults;
  const [strategy, setStrategy] = useState(
    strategies.includes(defaults.strategy) ? defaults.strategy : (strategies[0] ?? defaults.strategy),
  );
  const [knob, setKnob] = useState(defaults.retentionKnob);
  const [epochs, setEpochs] = useState('');
  const [augmentations, setAugmentations] = useState('');
  const [views, setViews] = useState('');
  const [note, setNote] = useState('');
  const create = useMutation(CreateVersionDoc);
  const freeze = useMutation(FreezeDoc);

  // New dataset version → every label selected by default.
  useEffect(() => {
    setSelected(Object.fromEntries((dv?.classCounts ?? []).map((c) => [c.label, true])));
  }, [dv?.id, labelsQ.data]); // when the labels of another dataset version arrive, not on every render

  const labels = useMemo(
    () => (dv?.classCounts ?? []).filter((c) => selected[c.label]).map((c) => c.label),
    [dv, selected],
  );

  async function submit(e: FormEvent) {
    e.preventDefault();
    const classes = labels.map((label) => classInput(label, choices[label]));
    const options: GrowthOptionsInput = { retentionKnob: knob };
    if (epochs) options.epochs = Number(epochs);
    if (augmentations) options.augmentations = Number(augmentations);
    if (views) options.views = views;
    try {
      const r = await create.mutate({
        input: { parentVersionId: parentId, datasetVersionId: dvId, classes, strategy, options, note },
      });
      onCreated(r.createModelVersion.job.id);
    } catch {
      // shown below
    }
  }

  if (models.length === 0) return <Empty>No model yet.</Empty>;

  return (
    <form className="card stack" onSubmit={submit} aria-labelledby="nv-h" data-testid="new-version-form">
      <h2 id="nv-h">New version</h2>
      <div className="form-grid">
        <div className="field">
          <label htmlFor="nv-model">Model</label>
          <select
            id="nv-model"
            value={modelId}
            onChange={(e) => {
              setModelId(e.target.value);
              setParentId(defaultParent(models.find((m) => m.id === e.target.value)));
            }}
          >
            {models.map((m) => (
              <option key={m.id} value={m.id}>
                {m.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="nv-parent">Parent version</label>
          <select id="nv-parent" value={parentId} onChange={(e) => setParentId(e.target.value)} required>
            {model?.versions.nodes.length === 0 && <option value="">no READY version</option>}
            {model?.versions.nodes.map((v) => (
              <option key={v.id} value={v.id}>
                v{v.number} · {v.classCount} classes
                {model.aliases
                  .filter((a) => a.version.id === v.id)
                  .map((a) => ` · ${a.name}`)
                  .join('')}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="nv-dataset">Dataset</label>
          <select
            id="nv-dataset"
            value={datasetId}
            onChange={(e) => {
              setDatasetId(e.target.value);
              setDvId(data.datasets.nodes.find((d) => d.id === e.target.value)?.versions.nodes[0]?.id ?? '');
            }}
          >
            {data.datasets.nodes.length === 0 && <option value="">no dataset</option>}
            {data.datasets.nodes.map((d) => (
              <option key={d.id} value={d.id}>
                {d.name} ({num(d.imageCount)} images)
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="nv-dv">Dataset version</label>
          <select id="nv-dv" value={dvId} onChange={(e) => setDvId(e.target.value)} required>
            {dataset && dataset.versions.nodes.length === 0 && <option value="">not frozen yet</option>}
            {dataset?.versions.nodes.map((v) => (
              <option key={v.id} value={v.id}>
                v{v.number} · {num(v.imageCount)} images · {relative(v.createdAt)}
              </option>
            ))}
          </select>
          {dataset && (
            <button
              type="button"
              className="btn btn-sm"
              style={{ alignSelf: 'flex-start', whiteSpace: 'normal' }}
              disabled={freeze.loading}
              title="Freeze the dataset's current images as a new immutable version"
              onClick={async () => {
                try {
                  const r = await freeze.mutate({ datasetId: dataset.id });
                  await refetch();
                  setDvId(r.freezeDatasetVersion.id);
                } catch {
                  // shown below
                }
              }}
            >
              {freeze.loading && <span className="spinner" aria-hidden="true" />} Freeze a new version
            </button>
          )}
          {freeze.error ? <ErrorBox error={freeze.error} title="Cannot freeze" /> : null}
        </div>
      </div>

      <fieldset>
        <legend>Labels to teach ({labels.length} selected)</legend>
        {namesQ.error ? (
          <ErrorBox error={namesQ.error} title="Cannot load the name overlaps" onRetry={namesQ.refetch} />
        ) : null}
        {dataQ.data?.dataOverlap.status === 'RUNNING' && (
          <p className="muted small" role="status">
            Running the parent on the labels’ training images: {num(dataQ.data.dataOverlap.done)} /{' '}
            {num(dataQ.data.dataOverlap.total)}
          </p>
        )}
        {labelsQ.error ? (
          <ErrorBox error={labelsQ.error} title="Cannot load the labels" onRetry={labelsQ.refetch} />
        ) : dvId && !dv ? (
          <Loading label="Loading labels…" />
        ) : !dv ? (
          <p className="muted small">Pick a frozen dataset version to see its labels.</p>
        ) : dv.classCounts.length === 0 ? (
          <p className="muted small">This dataset version has no labelled images.</p>
        ) : (
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">
                    <input
                      type="checkbox"
                      aria-label="Select all labels"
                      checked={labels.length === dv.classCounts.length}
                      onChange={(e) =>
                        setSelected(Object.fromEntries(dv.classCounts.map((c) => [c.label, e.target.checked])))
                      }
                    />
                  </th>
                  <th scope="col">Label</th>
                  <th scope="col" className="num">
                    Train
                  </th>
                  <th scope="col" className="num">
                    Val
                  </th>
                  <th scope="col">Overlaps and how it joins the new version</th>
                </tr>
              </thead>
              <tbody>
                {dv.classCounts.map((c) => (
                  <tr key={c.label}>
                    <td>
                      <input
                        type="checkbox"
                        id={`lbl-${c.label}`}
                        checked={!!selected[c.label]}
                        onChange={(e) => setSelected((s) => ({ ...s, [c.label]: e.target.checked }))}
                      />
                    </td>
                    <td>
                      <label htmlFor={`lbl-${c.label}`}>
                        <strong>{c.label}</strong>
                      </label>
                    </td>
                    <td className="num">{num(c.train)}</td>
                    <td className="num">{num(c.val)}</td>
                    <td>
                      {selected[c.label] && parentId ? (
                        <LabelOverlapCell
                          label={c.label}
                          names={namesOf.get(c.label)}
                          data={dataOf.get(c.label)}
                          dataStatus={dataQ.data?.dataOverlap.status}
                          value={choices[c.label]}
                          onChange={(ch) => setChoices((s) => ({ ...s, [c.label]: ch }))}
                        />
                      ) : (
                        <span className="muted small">—</span>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </fieldset>

      <div className="form-grid">
        <div className="field">
          <label htmlFor="nv-strategy">Strategy</label>
          <select id="nv-strategy" value={strategy} onChange={(e) => setStrategy(e.target.value)}>
            {strategies.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
          <span className="hint">How the grown head is fitted; see the README for each strategy.</span>
        </div>
        <div className="field">
          <label htmlFor="nv-knob">
            Retention knob: <output htmlFor="nv-knob">{knob.toFixed(2)}</output>
          </label>
          <input
            id="nv-knob"
            type="range"
            min={0}
            max={1}
            step={0.05}
            value={knob}
            onChange={(e) => setKnob(Number(e.target.value))}
            aria-describedby="nv-knob-hint"
          />
          <span id="nv-knob-hint" className="hint">
            0 = best accuracy on the new classes · 1 = best retention of the old ones
          </span>
        </div>
        <div className="field">
          <label htmlFor="nv-epochs">Epochs (optional)</label>
          <input
            id="nv-epochs"
            type="number"
            min={1}
            max={1000}
            value={epochs}
            onChange={(e) => setEpochs(e.target.value)}
            placeholder="default"
          />
        </div>
        <div className="field">
          <label htmlFor="nv-aug">Augmentations per image (optional)</label>
          <input
            id="nv-aug"
            type="number"
            min={0}
            max={32}
            value={augmentations}
            onChange={(e) => setAugmentations(e.target.value)}
            placeholder={`default ${defaults.augmentations}`}
          />
        </div>
        <div className="field">
          <label htmlFor="nv-views">How views are made (optional)</label>
          <select id="nv-views" value={views} onChange={(e) => setViews(e.target.value)}>
            <option value="">default</option>
            {data.growthViewKinds.map((v) => (
              <option key={v} value={v}>
                {v}
              </option>
            ))}
          </select>
          <span className="hint">mirror-and-map adds a pass per image on its mirror: slower when cold.</span>
        </div>
      </div>
      <div className="field">
        <label htmlFor="nv-note">Note</label>
        <input
          id="nv-note"
          type="text"
          value={note}
          onChange={(e) => setNote(e.target.value)}
          placeholder="What this version is for"
          maxLength={2000}
        />
      </div>
      {create.error ? <ErrorBox error={create.error} title="The version was not created" /> : null}
      <div className="row">
        <button
          type="submit"
          className="btn btn-primary"
          disabled={create.loading || !parentId || !dvId || labels.length === 0}
        >
          {create.loading && <span className="spinner" aria-hidden="true" />} Start training
        </button>
        <span className="muted small">
          {trainingSummary({
            labels: labels.length,
            dataset: dataset && dvMeta ? `${dataset.name} v${dvMeta.number}` : null,
            parent:
              model && parentId
                ? `${model.name} v${model.versions.nodes.find((v) => v.id === parentId)?.number ?? '?'}`
                : null,
          })}
        </span>
      </div>
    </form>
  );
}

/** The line beside "Start training": what will happen, or what is still missing. */
function trainingSummary(p: { labels: number; dataset: string | null; parent: string | null }): string {
  if (!p.parent) return 'Choose the version to grow from.';
  if (!p.dataset) return `Choose a dataset and a frozen version of it to grow ${p.parent}.`;
  if (p.labels === 0) return `Select at least one label of ${p.dataset}.`;
  return `${plural(p.labels, 'label')} from ${p.dataset} onto ${p.parent}.`;
}

function RecentJobs() {
  const q = useQuery(
    JobsDoc,
    {},
    { pollMs: (d) => (d?.trainingJobs.nodes.some((j) => ACTIVE.includes(j.status)) ? 2000 : 10000) },
  );
  return (
    <section className="card" aria-labelledby="jobs-h">
      <div className="card-head">
        <h2 id="jobs-h">Recent jobs</h2>
      </div>
      <QueryView state={q} loadingLabel="Loading jobs…">
        {(d) =>
          d.trainingJobs.nodes.length === 0 ? (
            <Empty>No training job yet.</Empty>
          ) : (
            <div className="table-wrap">
              <table className="table">
                <thead>
                  <tr>
                    <th scope="col">Job</th>
                    <th scope="col">Version</th>
                    <th scope="col">Status</th>
                    <th scope="col" style={{ minWidth: 160 }}>
                      Progress
                    </th>
                    <th scope="col">Strategy</th>
                    <th scope="col">Queued</th>
                  </tr>
                </thead>
                <tbody>
                  {d.trainingJobs.nodes.map((j) => (
                    <tr key={j.id}>
                      <td>
                        <Link href={`/jobs/${j.id}`} className="mono">
                          {j.id.slice(0, 8)}
                        </Link>
                      </td>
                      <td>
                        <Link href={`/versions/${j.version.id}`}>
                          {j.version.model.name} v{j.version.number}
                        </Link>{' '}
                        <span className="muted small">from v{j.parentVersion.number}</span>
                      </td>
                      <td>
                        <StatusBadge status={j.status} />
                      </td>
                      <td>
                        <div className="small">
                          {j.phase} · {pct(j.progress, 0)}
                          {ACTIVE.includes(j.status) && j.etaSeconds != null ? ` · ${duration(j.etaSeconds)} left` : ''}
                        </div>
                        <ProgressBar value={j.progress} label={`Progress of job ${j.id.slice(0, 8)}`} />
                      </td>
                      <td className="small">{j.strategy}</td>
                      <td className="small nowrap">{relative(j.queuedAt)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </QueryView>
    </section>
  );
}
