'use client';
// Imports of a dataset, newest first; each one expands to the files it rejected and why.
import { useState } from 'react';
import { Empty, QueryView } from '@/components/ui';
import { graphql } from '@/gql';
import { dateTime, num } from '@/lib/format';
import { useQuery } from '@/lib/hooks';

const ImportsDoc = graphql(`
  query DatasetImports($id: ID!) {
    dataset(id: $id) {
      id
      imports(first: 20) {
        totalCount
        nodes {
          id
          source
          accepted
          duplicates
          rejected
          createdAt
        }
      }
    }
  }
`);

const RejectionsDoc = graphql(`
  query ImportRejections($id: ID!, $after: String) {
    datasetImport(id: $id) {
      id
      rejections(first: 100, after: $after) {
        totalCount
        pageInfo {
          hasNextPage
          endCursor
        }
        nodes {
          id
          path
          reason
        }
      }
    }
  }
`);

export function Imports({ datasetId, reload }: { datasetId: string; reload: number }) {
  const q = useQuery(ImportsDoc, { id: datasetId }, { refreshKey: reload });
  const [open, setOpen] = useState<string | null>(null);
  return (
    <section className="card" aria-labelledby="imp-h" data-testid="imports">
      <h2 id="imp-h">Imports</h2>
      <QueryView state={q} loadingLabel="Loading imports…">
        {(d) =>
          d.dataset.imports.nodes.length === 0 ? (
            <Empty>Nothing imported yet.</Empty>
          ) : (
            <ul className="stack" style={{ listStyle: 'none', margin: 0, padding: 0, gap: '0.5rem' }}>
              {d.dataset.imports.nodes.map((im) => (
                <li key={im.id} style={{ borderBottom: '1px solid var(--border)', paddingBottom: '0.5rem' }}>
                  <div className="row" style={{ justifyContent: 'space-between' }}>
                    <span className="mono small truncate" style={{ maxWidth: '100%' }} title={im.source}>
                      {im.source}
                    </span>
                    <span className="small muted">{dateTime(im.createdAt)}</span>
                  </div>
                  <div className="row small">
                    <span className="badge badge-ok">{num(im.accepted)} accepted</span>
                    <span className="badge">{num(im.duplicates)} duplicates</span>
                    {im.rejected > 0 ? (
                      <button
                        type="button"
                        className="badge badge-danger"
                        style={{ cursor: 'pointer', border: 'none' }}
                        aria-expanded={open === im.id}
                        aria-controls={`rej-${im.id}`}
                        onClick={() => setOpen(open === im.id ? null : im.id)}
                      >
                        {num(im.rejected)} rejected {open === im.id ? '▾' : '▸'}
                      </button>
                    ) : (
                      <span className="badge">0 rejected</span>
                    )}
                  </div>
                  {open === im.id && (
                    <div id={`rej-${im.id}`}>
                      <Rejections importId={im.id} />
                    </div>
                  )}
                </li>
              ))}
            </ul>
          )
        }
      </QueryView>
    </section>
  );
}

function Rejections({ importId }: { importId: string }) {
  const q = useQuery(RejectionsDoc, { id: importId, after: null });
  return (
    <QueryView state={q} loadingLabel="Loading rejected files…">
      {(d) => (
        <div className="table-wrap" style={{ marginTop: '0.5rem' }}>
          <table className="table" data-testid="rejections">
            <caption className="visually-hidden">Rejected files</caption>
            <thead>
              <tr>
                <th scope="col">File</th>
                <th scope="col">Reason</th>
              </tr>
            </thead>
            <tbody>
              {d.datasetImport.rejections.nodes.map((r) => (
                <tr key={r.id}>
                  <td className="mono small">{r.path}</td>
                  <td className="small">{r.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {d.datasetImport.rejections.totalCount > d.datasetImport.rejections.nodes.length && (
            <p className="muted small">
              …and {d.datasetImport.rejections.totalCount - d.datasetImport.rejections.nodes.length} more.
            </p>
          )}
        </div>
      )}
    </QueryView>
  );
}
