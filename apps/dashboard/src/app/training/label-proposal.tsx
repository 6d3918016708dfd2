'use client';
// How one dataset label joins the new version: merged into a class the parent already predicts (e.g. "daisy" into
// ImageNet's daisy) or added as a new output unit, filed where the API would file it in the taxonomy. The proposal
// mirrors what the API would decide by default.
import { useEffect } from 'react';
import { graphql } from '@/gql';
import { useQuery } from '@/lib/hooks';

export type LabelChoice = { kind: 'auto' } | { kind: 'new' } | { kind: 'merge'; classNodeId: string };

const ProposalDoc = graphql(`
  query LabelProposal($label: String!, $parentVersionId: ID!) {
    resolveClassName(name: $label, limit: 5) {
      id
      name
      origin
      path
    }
    classPlacement(name: $label) {
      id
      name
      path
    }
    modelVersion(id: $parentVersionId) {
      id
      classes(filter: { search: $label }, first: 10) {
        nodes {
          outputUnit
          classNode {
            id
            name
            path
          }
        }
      }
    }
  }
`);

export function LabelProposal({ label, parentVersionId, value, onChange }: { label: string; parentVersionId: string; value: LabelChoice | undefined; onChange: (c: LabelChoice) => void }) {
  const q = useQuery(ProposalDoc, { label, parentVersionId });
  const parentClasses = q.data?.modelVersion.classes.nodes ?? [];
  const inParent = new Map(parentClasses.map((c) => [c.classNode.id, c]));
  const proposed =
    q.data?.resolveClassName.find((m) => inParent.has(m.id)) ?? parentClasses.find((c) => c.classNode.name.toLowerCase() === label.toLowerCase())?.classNode ?? null;

  // Adopt the proposal once it is known (the user can still change it).
  useEffect(() => {
    if (!q.data || value) return;
    onChange(proposed ? { kind: 'merge', classNodeId: proposed.id } : { kind: 'new' });
  }, [q.data]); // once per answer: later edits are the user’s

  if (q.error) return <span className="small" style={{ color: 'var(--danger)' }}>proposal unavailable</span>;
  if (!q.data) return <span className="muted small">resolving…</span>;

  const selectValue = !value || value.kind === 'auto' ? 'auto' : value.kind === 'new' ? 'new' : `merge:${value.classNodeId}`;
  return (
    <div className="row" style={{ gap: '0.4rem', flexWrap: 'nowrap' }}>
      <label htmlFor={`res-${label}`} className="visually-hidden">
        How “{label}” joins the new version
      </label>
      <select
        id={`res-${label}`}
        value={selectValue}
        style={{ width: 'auto', maxWidth: 320 }}
        onChange={(e) => {
          const v = e.target.value;
          onChange(v === 'auto' ? { kind: 'auto' } : v === 'new' ? { kind: 'new' } : { kind: 'merge', classNodeId: v.slice('merge:'.length) });
        }}
      >
        <option value="new">new class “{label}”</option>
        {parentClasses.map((c) => (
          <option key={c.classNode.id} value={`merge:${c.classNode.id}`}>
            merge into {c.classNode.name} (unit {c.outputUnit})
          </option>
        ))}
        <option value="auto">let the API decide</option>
      </select>
      {value?.kind === 'new' && (
        <span className="badge" title={q.data.classPlacement ? [...q.data.classPlacement.path, label].join(' › ') : 'no WordNet match: at the root of the taxonomy'}>
          {q.data.classPlacement ? `under ${q.data.classPlacement.name}` : 'at the root'}
        </span>
      )}
      {proposed && value?.kind === 'merge' && value.classNodeId === proposed.id && (
        <span className="badge badge-info" title={'path' in proposed ? proposed.path.join(' › ') : undefined}>
          proposed merge
        </span>
      )}
    </div>
  );
}
