'use client';
// Datasets: the list with per-class counts, and a form to create one.
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { Pager, useCursorPages } from '@/components/pager';
import { Badge, Empty, ErrorBox, PageHeader, QueryView, SearchField } from '@/components/ui';
import { graphql } from '@/gql';
import { num, relative } from '@/lib/format';
import { useMutation, useQuery } from '@/lib/hooks';
import { useSession } from '@/lib/session';

const DatasetsDoc = graphql(`
  query DatasetsList($search: String, $after: String) {
    datasets(filter: { search: $search }, first: 25, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        id
        name
        description
        createdAt
        imageCount
        classCounts {
          label
          total
        }
        latestVersion {
          id
          number
          imageCount
        }
      }
    }
  }
`);

const CreateDatasetDoc = graphql(`
  mutation CreateDataset($input: CreateDatasetInput!) {
    createDataset(input: $input) {
      id
      name
    }
  }
`);

export default function DatasetsPage() {
  const { canEdit } = useSession();
  const [search, setSearch] = useState('');
  const pages = useCursorPages();
  const q = useQuery(DatasetsDoc, { search: search || null, after: pages.after });
  return (
    <>
      <PageHeader
        title="Datasets"
        description="Labelled images to teach new classes. Freeze a dataset into an immutable version to train on it."
      />
      <div className="stack">
        {canEdit && <CreateDataset />}
        <section className="card stack" aria-labelledby="ds-h">
          <div className="card-head">
            <h2 id="ds-h">All datasets</h2>
            <SearchField
              id="ds-search"
              label="Search datasets"
              placeholder="Search datasets…"
              value={search}
              style={{ width: 260 }}
              onSearch={(text) => {
                setSearch(text);
                pages.reset();
              }}
            />
          </div>
          <QueryView state={q} loadingLabel="Loading datasets…">
            {(d) =>
              d.datasets.nodes.length === 0 ? (
                <Empty>{search ? `No dataset matches “${search}”.` : 'No dataset yet.'}</Empty>
              ) : (
                <>
                  <div className="table-wrap">
                    <table className="table">
                      <thead>
                        <tr>
                          <th scope="col">Dataset</th>
                          <th scope="col" className="num">
                            Images
                          </th>
                          <th scope="col">Labels (images)</th>
                          <th scope="col">Latest version</th>
                          <th scope="col">Created</th>
                        </tr>
                      </thead>
                      <tbody>
                        {d.datasets.nodes.map((ds) => (
                          <tr key={ds.id}>
                            <td>
                              <Link href={`/datasets/${ds.id}`}>
                                <strong>{ds.name}</strong>
                              </Link>
                              {ds.description && <div className="muted small">{ds.description}</div>}
                            </td>
                            <td className="num">{num(ds.imageCount)}</td>
                            <td>
                              <ul className="chip-list">
                                {ds.classCounts.slice(0, 8).map((c) => (
                                  <li key={c.label}>
                                    <Badge>
                                      {c.label} {c.total}
                                    </Badge>
                                  </li>
                                ))}
                                {ds.classCounts.length > 8 && (
                                  <li className="muted small">+{ds.classCounts.length - 8} more</li>
                                )}
                                {ds.classCounts.length === 0 && <li className="muted small">empty</li>}
                              </ul>
                            </td>
                            <td>
                              {ds.latestVersion ? (
                                `v${ds.latestVersion.number} (${num(ds.latestVersion.imageCount)} images)`
                              ) : (
                                <span className="muted">not frozen</span>
                              )}
                            </td>
                            <td className="small nowrap">{relative(ds.createdAt)}</td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  </div>
                  <Pager {...pages.pager(d.datasets.pageInfo)} total={d.datasets.totalCount} noun="datasets" />
                </>
              )
            }
          </QueryView>
        </section>
      </div>
    </>
  );
}

function CreateDataset() {
  const router = useRouter();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const create = useMutation(CreateDatasetDoc);
  async function submit(e: FormEvent) {
    e.preventDefault();
    try {
      const r = await create.mutate({ input: { name: name.trim(), description } });
      router.push(`/datasets/${r.createDataset.id}`);
    } catch {
      // shown below
    }
  }
  return (
    <form className="card stack" onSubmit={submit} aria-labelledby="nd-h">
      <h2 id="nd-h">New dataset</h2>
      <div className="form-grid">
        <div className="field">
          <label htmlFor="nd-name">Name</label>
          <input
            id="nd-name"
            type="text"
            value={name}
            onChange={(e) => setName(e.target.value)}
            required
            maxLength={100}
            pattern="[A-Za-z0-9][\w .\-]*"
            placeholder="flowers"
          />
        </div>
        <div className="field">
          <label htmlFor="nd-desc">Description</label>
          <input
            id="nd-desc"
            type="text"
            value={description}
            onChange={(e) => setDescription(e.target.value)}
            maxLength={2000}
          />
        </div>
      </div>
      {create.error ? <ErrorBox error={create.error} title="Not created" /> : null}
      <div>
        <button type="submit" className="btn btn-primary" disabled={create.loading || !name.trim()}>
          {create.loading && <span className="spinner" aria-hidden="true" />} Create dataset
        </button>
      </div>
    </form>
  );
}
