'use client';
// Models: every model with its current aliases and newest version.
import Link from 'next/link';
import { useState } from 'react';
import { Badge, Empty, PageHeader, QueryView, SearchField, StatusBadge } from '@/components/ui';
import { graphql } from '@/gql';
import { useQuery } from '@/lib/hooks';
import { num, relative } from '@/lib/format';
import { Pager, useCursorPages } from '@/components/pager';

const ModelsListDoc = graphql(`
  query ModelsList($search: String, $first: Int, $after: String) {
    models(filter: { search: $search }, first: $first, after: $after) {
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
        backbone {
          name
        }
        aliases {
          id
          name
          updatedAt
          version {
            id
            number
            classCount
          }
        }
        latestVersion {
          id
          number
          status
          classCount
          createdAt
        }
        versions(first: 1) {
          totalCount
        }
      }
    }
  }
`);

export default function ModelsPage() {
  const [search, setSearch] = useState('');
  const pages = useCursorPages();
  const q = useQuery(ModelsListDoc, { search: search || null, first: 25, after: pages.after });

  return (
    <>
      <PageHeader
        title="Models"
        description="Classifiers that grow version after version. Aliases (production, staging…) point at the version that serves."
      />
      <div className="card stack">
        <div className="row">
          <SearchField
            id="model-search"
            label="Search models"
            placeholder="Search models…"
            value={search}
            style={{ flex: '1 1 260px', maxWidth: 360 }}
            onSearch={(text) => {
              setSearch(text);
              pages.reset();
            }}
          />
        </div>
        <QueryView state={q} loadingLabel="Loading models…">
          {(d) =>
            d.models.nodes.length === 0 ? (
              <Empty>
                No models{search ? ` matching “${search}”` : ''} yet. The API seeds the base model on first start.
              </Empty>
            ) : (
              <>
                <div className="table-wrap">
                  <table className="table">
                    <caption className="visually-hidden">Models ({d.models.totalCount})</caption>
                    <thead>
                      <tr>
                        <th scope="col">Model</th>
                        <th scope="col">Aliases</th>
                        <th scope="col">Latest version</th>
                        <th scope="col" className="num">
                          Versions
                        </th>
                        <th scope="col">Backbone</th>
                      </tr>
                    </thead>
                    <tbody>
                      {d.models.nodes.map((m) => (
                        <tr key={m.id}>
                          <td>
                            <Link href={`/models/${m.id}`}>
                              <strong>{m.name}</strong>
                            </Link>
                            {m.description && <div className="muted small">{m.description}</div>}
                          </td>
                          <td>
                            <ul className="chip-list" aria-label={`Aliases of ${m.name}`}>
                              {m.aliases.length === 0 && <li className="muted small">none</li>}
                              {m.aliases.map((a) => (
                                <li key={a.id}>
                                  <Link
                                    href={`/versions/${a.version.id}`}
                                    title={`${a.name} → v${a.version.number} (moved ${relative(a.updatedAt)})`}
                                  >
                                    <Badge tone="alias">
                                      {a.name} → v{a.version.number}
                                    </Badge>
                                  </Link>
                                </li>
                              ))}
                            </ul>
                          </td>
                          <td>
                            {m.latestVersion ? (
                              <span className="row" style={{ gap: '0.4rem' }}>
                                <Link href={`/versions/${m.latestVersion.id}`}>v{m.latestVersion.number}</Link>
                                <StatusBadge status={m.latestVersion.status} />
                                <span className="muted small">{num(m.latestVersion.classCount)} classes</span>
                              </span>
                            ) : (
                              '—'
                            )}
                          </td>
                          <td className="num">{num(m.versions.totalCount)}</td>
                          <td className="muted small">{m.backbone.name}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
                <Pager {...pages.pager(d.models.pageInfo)} total={d.models.totalCount} noun="models" />
              </>
            )
          }
        </QueryView>
      </div>
    </>
  );
}
