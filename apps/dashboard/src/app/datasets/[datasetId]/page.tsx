'use client';
// Dataset page: per-class counts, image grid (lazy thumbnails, paginated), imports with rejected files and reasons,
// the import form (server folder or upload with progress) and frozen versions.
import Link from 'next/link';
import { useParams } from 'next/navigation';
import { useState } from 'react';
import { Pager, useCursorPages } from '@/components/pager';
import { Thumb } from '@/components/thumb';
import { Badge, Empty, ErrorBox, Loading, PageHeader, QueryView, Stat } from '@/components/ui';
import { graphql } from '@/gql';
import type { DatasetPageQuery, Split } from '@/gql/graphql';
import { dateTime, num, relative } from '@/lib/format';
import { useMutation, useQuery } from '@/lib/hooks';
import { useSession } from '@/lib/session';
import { ImportForm } from './import-form';
import { Imports } from './imports';

const DatasetDoc = graphql(`
  query DatasetPage($id: ID!) {
    dataset(id: $id) {
      id
      name
      description
      createdAt
      imageCount
      classCounts {
        label
        train
        val
        total
      }
      versions(first: 20) {
        totalCount
        nodes {
          id
          number
          imageCount
          createdAt
          classCounts {
            label
          }
        }
      }
    }
  }
`);

const ImagesDoc = graphql(`
  query DatasetImages($id: ID!, $filter: DatasetImageFilter, $after: String) {
    dataset(id: $id) {
      id
      images(filter: $filter, first: 48, after: $after) {
        totalCount
        pageInfo {
          hasNextPage
          endCursor
        }
        nodes {
          id
          label
          split
          sourcePath
          image {
            id
            width
            height
          }
        }
      }
    }
  }
`);

const FreezeDoc = graphql(`
  mutation FreezeDataset($datasetId: ID!) {
    freezeDatasetVersion(datasetId: $datasetId) {
      id
      number
      imageCount
    }
  }
`);

type Dataset = DatasetPageQuery['dataset'];

export default function DatasetPage() {
  const { datasetId } = useParams<{ datasetId: string }>();
  const q = useQuery(DatasetDoc, { id: datasetId });
  const [reload, setReload] = useState(0);
  const ds = q.data?.dataset;
  if (q.error && !ds) return <ErrorBox error={q.error} title="Cannot load this dataset" onRetry={q.refetch} />;
  if (!ds) return <Loading label="Loading dataset…" />;
  const refresh = async () => {
    await q.refetch();
    setReload((r) => r + 1);
  };
  return (
    <>
      <PageHeader
        crumbs={[{ href: '/datasets', label: 'Datasets' }, { label: ds.name }]}
        title={ds.name}
        description={ds.description || `Created ${dateTime(ds.createdAt)}`}
        actions={<FreezeButton ds={ds} onDone={refresh} />}
      />
      <div className="stack">
        <dl className="stats">
          <Stat label="Images" value={num(ds.imageCount)} />
          <Stat label="Labels" value={num(ds.classCounts.length)} />
          <Stat
            label="Train / val"
            value={`${num(ds.classCounts.reduce((s, c) => s + c.train, 0))} / ${num(ds.classCounts.reduce((s, c) => s + c.val, 0))}`}
          />
          <Stat label="Frozen versions" value={num(ds.versions.totalCount)} />
        </dl>
        <div className="grid-2">
          <ClassCounts ds={ds} />
          <ImportForm datasetId={ds.id} onImported={refresh} />
        </div>
        <ImageGrid ds={ds} reload={reload} />
        <div className="grid-2">
          <Imports datasetId={ds.id} reload={reload} />
          <Versions ds={ds} />
        </div>
      </div>
    </>
  );
}

function FreezeButton({ ds, onDone }: { ds: Dataset; onDone: () => Promise<void> }) {
  const { canEdit } = useSession();
  const freeze = useMutation(FreezeDoc);
  const [done, setDone] = useState<string | null>(null);
  if (!canEdit) return null;
  return (
    <>
      {done && (
        <span className="badge badge-ok" role="status">
          {done}
        </span>
      )}
      {freeze.error ? (
        <span className="badge badge-danger" role="alert">
          {(freeze.error as Error).message}
        </span>
      ) : null}
      <button
        type="button"
        className="btn"
        disabled={freeze.loading || ds.imageCount === 0}
        onClick={async () => {
          setDone(null);
          try {
            const r = await freeze.mutate({ datasetId: ds.id });
            setDone(`Frozen as v${r.freezeDatasetVersion.number} (${r.freezeDatasetVersion.imageCount} images)`);
            await onDone();
          } catch {
            // shown above
          }
        }}
      >
        {freeze.loading && <span className="spinner" aria-hidden="true" />} Freeze version
      </button>
      <Link href="/training" className="btn btn-primary">
        Train with it
      </Link>
    </>
  );
}

function ClassCounts({ ds }: { ds: Dataset }) {
  const max = Math.max(1, ...ds.classCounts.map((c) => c.total));
  return (
    <section className="card" aria-labelledby="cc-h" data-testid="class-counts">
      <h2 id="cc-h">Images per label</h2>
      {ds.classCounts.length === 0 ? (
        <Empty>No images yet: import a folder or upload files.</Empty>
      ) : (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Label</th>
                <th scope="col" className="num">
                  Train
                </th>
                <th scope="col" className="num">
                  Val
                </th>
                <th scope="col" className="num">
                  Total
                </th>
                <th scope="col" style={{ width: '35%' }}>
                  <span className="visually-hidden">Share</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {ds.classCounts.map((c) => (
                <tr key={c.label}>
                  <td>
                    <strong>{c.label}</strong>
                  </td>
                  <td className="num">{num(c.train)}</td>
                  <td className="num">{num(c.val)}</td>
                  <td className="num">{num(c.total)}</td>
                  <td aria-hidden="true">
                    <div
                      style={{
                        display: 'flex',
                        height: 10,
                        borderRadius: 3,
                        overflow: 'hidden',
                        width: `${(c.total / max) * 100}%`,
                      }}
                    >
                      <span style={{ flex: c.train, background: 'var(--chart-old)' }} />
                      <span style={{ flex: c.val, background: 'var(--chart-new)' }} />
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <ul className="legend" aria-hidden="true">
            <li>
              <i style={{ background: 'var(--chart-old)' }} /> train
            </li>
            <li>
              <i style={{ background: 'var(--chart-new)' }} /> val
            </li>
          </ul>
        </div>
      )}
    </section>
  );
}

function ImageGrid({ ds, reload }: { ds: Dataset; reload: number }) {
  const [label, setLabel] = useState('');
  const [split, setSplit] = useState<'' | Split>('');
  const pages = useCursorPages();
  const filter = { ...(label ? { label } : {}), ...(split ? { split } : {}) };
  const q = useQuery(ImagesDoc, { id: ds.id, filter, after: pages.after }, { refreshKey: reload });
  return (
    <section className="card stack" aria-labelledby="img-h">
      <div className="card-head">
        <h2 id="img-h">Images</h2>
        <div className="row">
          <label htmlFor="img-label" className="small muted">
            Label
          </label>
          <select
            id="img-label"
            value={label}
            style={{ width: 'auto' }}
            onChange={(e) => {
              setLabel(e.target.value);
              pages.reset();
            }}
          >
            <option value="">all</option>
            {ds.classCounts.map((c) => (
              <option key={c.label} value={c.label}>
                {c.label}
              </option>
            ))}
          </select>
          <label htmlFor="img-split" className="small muted">
            Split
          </label>
          <select
            id="img-split"
            value={split}
            style={{ width: 'auto' }}
            onChange={(e) => {
              setSplit(e.target.value as '' | Split);
              pages.reset();
            }}
          >
            <option value="">all</option>
            <option value="TRAIN">train</option>
            <option value="VAL">val</option>
          </select>
        </div>
      </div>
      <QueryView state={q} loadingLabel="Loading images…">
        {(d) =>
          d.dataset.images.nodes.length === 0 ? (
            <Empty>No images{label || split ? ' for this filter' : ''}.</Empty>
          ) : (
            <>
              <ul className="image-grid" aria-label="Dataset images" data-testid="image-grid">
                {d.dataset.images.nodes.map((im) => (
                  <li key={im.id}>
                    <figure>
                      <Thumb imageId={im.image.id} alt={`${im.label} (${im.sourcePath ?? im.image.id})`} />
                      <figcaption>
                        <span className="truncate" title={im.sourcePath ?? undefined}>
                          {im.label}
                        </span>
                        <Badge tone={im.split === 'VAL' ? 'warn' : undefined}>{im.split.toLowerCase()}</Badge>
                      </figcaption>
                    </figure>
                  </li>
                ))}
              </ul>
              <Pager {...pages.pager(d.dataset.images.pageInfo)} total={d.dataset.images.totalCount} noun="images" />
            </>
          )
        }
      </QueryView>
    </section>
  );
}

function Versions({ ds }: { ds: Dataset }) {
  return (
    <section className="card" aria-labelledby="dv-h">
      <h2 id="dv-h">Frozen versions</h2>
      {ds.versions.nodes.length === 0 ? (
        <Empty>
          Not frozen yet. Training uses a frozen version, so later imports do not change what a model learned from.
        </Empty>
      ) : (
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Version</th>
              <th scope="col" className="num">
                Images
              </th>
              <th scope="col" className="num">
                Labels
              </th>
              <th scope="col">Frozen</th>
            </tr>
          </thead>
          <tbody>
            {ds.versions.nodes.map((v) => (
              <tr key={v.id}>
                <td>v{v.number}</td>
                <td className="num">{num(v.imageCount)}</td>
                <td className="num">{num(v.classCounts.length)}</td>
                <td className="small">{relative(v.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
