'use client';
// Compare this version (b) with any other version (a) of the model: class changes and metric deltas.
import Link from 'next/link';
import { useState } from 'react';
import { DeltaBars } from '@/components/charts';
import { Badge, Empty, QueryView } from '@/components/ui';
import { graphql } from '@/gql';
import { pct, ppDelta } from '@/lib/format';
import { useQuery } from '@/lib/hooks';

const CompareDoc = graphql(`
  query CompareVersions($a: ID!, $b: ID!) {
    compareVersions(a: $a, b: $b) {
      a {
        id
        number
        classCount
      }
      b {
        id
        number
        classCount
      }
      classesAdded {
        id
        name
      }
      classesRemoved {
        id
        name
      }
      metricDeltas {
        evaluation
        metric
        a
        b
        delta
        isShare
      }
      perClassDeltas {
        evaluation
        label
        metric
        a
        b
        delta
      }
    }
  }
`);

// The headline metrics first; the rest of the flattened report follows.
const KEY_METRICS = [
  'overall.top1',
  'old.top1',
  'new.top1',
  'overall.top5',
  'retention.kept',
  'retention.childTop1',
  'top1',
  'top5',
  'retention',
  'agreement',
];

export function CompareVersions({
  version,
  others,
  defaultOther,
}: {
  version: { id: string; number: number };
  others: { id: string; number: number; status: string }[];
  defaultOther?: string;
}) {
  const [other, setOther] = useState<string>(defaultOther ?? others[0]?.id ?? '');
  const [showAll, setShowAll] = useState(false);
  const q = useQuery(CompareDoc, { a: other, b: version.id }, { skip: !other });

  return (
    <section className="card" aria-labelledby="cmp-h" data-testid="compare">
      <div className="card-head">
        <h2 id="cmp-h">Compare</h2>
        <div className="row">
          <label htmlFor="cmp-other" className="small muted">
            v{version.number} against
          </label>
          <select
            id="cmp-other"
            value={other}
            onChange={(e) => setOther(e.target.value)}
            style={{ width: 'auto' }}
            disabled={others.length === 0}
          >
            {others.length === 0 && <option value="">no other version</option>}
            {others.map((o) => (
              <option key={o.id} value={o.id}>
                v{o.number} ({o.status.toLowerCase()})
              </option>
            ))}
          </select>
        </div>
      </div>
      {!other ? (
        <Empty>This is the only version of the model.</Empty>
      ) : (
        <QueryView state={q} loadingLabel="Comparing…">
          {(d) => {
            const c = d.compareVersions;
            const deltas = [...c.metricDeltas].sort((x, y) => {
              const kx = KEY_METRICS.indexOf(x.metric);
              const ky = KEY_METRICS.indexOf(y.metric);
              return (
                (kx < 0 ? 99 : kx) - (ky < 0 ? 99 : ky) ||
                x.evaluation.localeCompare(y.evaluation) ||
                x.metric.localeCompare(y.metric)
              );
            });
            const shown = showAll ? deltas : deltas.filter((m) => KEY_METRICS.includes(m.metric));
            const perClass = c.perClassDeltas
              .filter((p) => p.delta !== null && p.delta !== undefined && p.metric === 'recall')
              .sort((x, y) => Math.abs(y.delta!) - Math.abs(x.delta!))
              .slice(0, 16);
            return (
              <div className="stack">
                <p className="small">
                  From <Link href={`/versions/${c.a.id}`}>v{c.a.number}</Link> ({c.a.classCount} classes) to{' '}
                  <strong>v{c.b.number}</strong> ({c.b.classCount} classes): {c.classesAdded.length} added,{' '}
                  {c.classesRemoved.length} removed.
                </p>
                {(c.classesAdded.length > 0 || c.classesRemoved.length > 0) && (
                  <ul className="chip-list" aria-label="Class changes">
                    {c.classesAdded.slice(0, 40).map((n) => (
                      <li key={`+${n.id}`}>
                        <Badge tone="ok">+ {n.name}</Badge>
                      </li>
                    ))}
                    {c.classesRemoved.slice(0, 40).map((n) => (
                      <li key={`-${n.id}`}>
                        <Badge tone="danger">− {n.name}</Badge>
                      </li>
                    ))}
                  </ul>
                )}
                {deltas.length > 0 && deltas.every((m) => m.a == null) && (
                  <p className="muted small">
                    v{c.a.number} has no evaluation of its own yet: only v{c.b.number}’s values are shown.
                  </p>
                )}
                {deltas.length === 0 ? (
                  <Empty>No metric both versions report (the base version has no evaluation).</Empty>
                ) : (
                  <div className="table-wrap">
                    <table className="table">
                      <caption className="visually-hidden">Metric deltas</caption>
                      <thead>
                        <tr>
                          <th scope="col">Evaluation</th>
                          <th scope="col">Metric</th>
                          <th scope="col" className="num">
                            v{c.a.number}
                          </th>
                          <th scope="col" className="num">
                            v{c.b.number}
                          </th>
                          <th scope="col" className="num">
                            Δ
                          </th>
                        </tr>
                      </thead>
                      <tbody>
                        {shown.map((m) => {
                          const rate = m.isShare; // the server's rule (registry compare.ts)
                          const fmt = (x: number | null | undefined) =>
                            x == null ? '—' : rate ? pct(x) : x.toLocaleString('en-US', { maximumFractionDigits: 2 });
                          const tone =
                            m.delta == null || m.delta === 0 ? undefined : m.delta > 0 ? 'var(--ok)' : 'var(--danger)';
                          return (
                            <tr key={`${m.evaluation}/${m.metric}`}>
                              <td className="small">{m.evaluation}</td>
                              <td className="mono small">{m.metric}</td>
                              <td className="num">{fmt(m.a)}</td>
                              <td className="num">{fmt(m.b)}</td>
                              <td className="num" style={{ color: tone, fontWeight: 600 }}>
                                {m.delta == null
                                  ? '—'
                                  : rate
                                    ? ppDelta(m.delta)
                                    : (m.delta > 0 ? '+' : '') +
                                      m.delta.toLocaleString('en-US', { maximumFractionDigits: 2 })}
                              </td>
                            </tr>
                          );
                        })}
                      </tbody>
                    </table>
                  </div>
                )}
                {deltas.length > shown.length || showAll ? (
                  <button
                    type="button"
                    className="btn btn-sm"
                    onClick={() => setShowAll((s) => !s)}
                    aria-expanded={showAll}
                    style={{ alignSelf: 'flex-start' }}
                  >
                    {showAll ? 'Headline metrics only' : `All ${deltas.length} metrics`}
                  </button>
                ) : null}
                {perClass.length > 0 && (
                  <div>
                    <h3>Largest per-class changes (recall)</h3>
                    <DeltaBars
                      title={`Per-class recall change from v${c.a.number} to v${c.b.number}`}
                      items={perClass.map((p) => ({
                        label: p.label,
                        delta: p.delta!,
                        note: `${pct(p.a)} → ${pct(p.b)}`,
                      }))}
                    />
                  </div>
                )}
              </div>
            );
          }}
        </QueryView>
      )}
    </section>
  );
}
