'use client';
// How one dataset label joins the new version. Everything shown comes from the API's rules (growthOverlap: the name
// rule and the default decision; dataOverlap: what the parent answers on the label's images); the dashboard only
// offers the choices the API takes: default, merge into a class, new class, new class as parent of / winning over
// the classes that answer its images.
import { graphql } from '@/gql';
import type { GrowthOverlapQuery, DataOverlapQuery } from '@/gql/graphql';
import { pct } from '@/lib/format';

export type LabelChoice = (
  | { kind: 'auto' }
  | { kind: 'new' }
  | { kind: 'merge'; classNodeId: string }
  | { kind: 'parentOf'; classNodeId: string }
  | { kind: 'winsOver'; classNodeId: string }
) & {
  /** The name a new class gets instead of the label (the API refuses a label with no letters, two labels that differ
   *  only in case, or the name of a class the parent has, until each new class has a name of its own). */
  name?: string;
};

export const GrowthOverlapDoc = graphql(`
  query GrowthOverlap($parentVersionId: ID!, $datasetVersionId: ID!) {
    growthOverlap(parentVersionId: $parentVersionId, datasetVersionId: $datasetVersionId) {
      label
      proposals {
        classId
        name
        reason
        relation
        outputUnit
      }
      byDefault {
        decision
        reason
        classId
        parentId
      }
      problem
    }
  }
`);

export const DataOverlapDoc = graphql(`
  query DataOverlap($parentVersionId: ID!, $datasetVersionId: ID!) {
    dataOverlap(parentVersionId: $parentVersionId, datasetVersionId: $datasetVersionId) {
      status
      done
      total
      error
      labels {
        label
        images
        answers {
          share
          defaultTakeover
          defaultTakeoverNote
          outputUnit
          classNode {
            id
            name
          }
        }
      }
    }
  }
`);

export type NameOverlap = GrowthOverlapQuery['growthOverlap'][number];
export type DataOverlap = DataOverlapQuery['dataOverlap']['labels'][number];

/** The createModelVersion input of one label for a choice. */
export function classInput(label: string, c: LabelChoice | undefined) {
  const name = c?.name?.trim();
  const named = name && name !== label && c?.kind !== 'merge' ? { name } : {};
  if (!c || c.kind === 'auto') return { label, ...named };
  if (c.kind === 'merge') return { label, resolution: 'MERGE' as const, mergeIntoClassId: c.classNodeId };
  if (c.kind === 'parentOf') return { label, ...named, resolution: 'NEW' as const, parentOfClassIds: [c.classNodeId] };
  if (c.kind === 'winsOver') return { label, ...named, resolution: 'NEW' as const, winsOverClassIds: [c.classNodeId] };
  return { label, ...named, resolution: 'NEW' as const };
}

const encode = (c: LabelChoice) => (c.kind === 'auto' || c.kind === 'new' ? c.kind : `${c.kind}:${c.classNodeId}`);
function decode(v: string): LabelChoice {
  if (v === 'auto' || v === 'new') return { kind: v };
  const [kind, classNodeId] = v.split(':') as ['merge' | 'parentOf' | 'winsOver', string];
  return { kind, classNodeId };
}

function defaultText(n: NameOverlap | undefined): string {
  if (!n) return 'the API decides';
  if (n.problem || !n.byDefault) return n.problem ?? 'the request must decide';
  const target = n.proposals.find((p) => p.classId === n.byDefault!.classId)?.name;
  if (n.byDefault.decision === 'merge') return `merge into ${target ?? 'the matching class'} (${n.byDefault.reason})`;
  return `new class (${n.byDefault.reason})`;
}

export function LabelOverlapCell({
  label,
  names,
  data,
  dataStatus,
  value,
  onChange,
}: {
  label: string;
  names: NameOverlap | undefined;
  data: DataOverlap | undefined;
  dataStatus: string | undefined;
  value: LabelChoice | undefined;
  onChange: (c: LabelChoice) => void;
}) {
  const answers = data?.answers ?? [];
  // the classes with the share the default looks at: what it does with each, in the server's words
  const noted = answers.filter((a) => a.defaultTakeover !== 'BELOW_SHARE');
  const nameClasses = (names?.proposals ?? []).map((p) => ({ id: p.classId, name: p.name }));
  const mergeTargets = [...nameClasses, ...answers.map((a) => ({ id: a.classNode.id, name: a.classNode.name }))].filter(
    (c, i, all) => all.findIndex((x) => x.id === c.id) === i,
  );
  return (
    <div className="stack" style={{ gap: '0.3rem' }}>
      <div className="row small" style={{ gap: '0.4rem', flexWrap: 'wrap' }}>
        {names?.proposals.map((p) => (
          <span
            key={p.classId}
            className="badge badge-info"
            title={`unit ${p.outputUnit}; ${p.relation === 'is' ? 'the label is this class' : 'a kind of this class'}`}
          >
            name: {p.relation === 'is' ? '=' : '⊂'} {p.name} ({p.reason})
          </span>
        ))}
        {answers.length > 0 ? (
          <span className="muted" title={`what the parent answers on ${data?.images} training images`}>
            parent answers:{' '}
            {answers.map((a, i) => (
              <span key={a.classNode.id} title={a.defaultTakeoverNote}>
                {i ? ', ' : ''}
                {a.classNode.name} {pct(a.share)}
                {a.defaultTakeover === 'TAKEN_OVER'
                  ? ' (won over by default)'
                  : a.defaultTakeover !== 'BELOW_SHARE'
                    ? ' (kept)'
                    : ''}
              </span>
            ))}
          </span>
        ) : (
          <span className="muted">
            {dataStatus === 'RUNNING'
              ? 'running the parent on its images…'
              : dataStatus === 'FAILED'
                ? 'data overlap unavailable'
                : ''}
          </span>
        )}
      </div>
      {noted.length > 0 && (
        <ul className="muted small" data-testid={`takeover-notes-${label}`} style={{ margin: 0, paddingLeft: '1rem' }}>
          {noted.map((a) => (
            <li key={a.classNode.id}>
              {a.classNode.name}: {a.defaultTakeoverNote}
            </li>
          ))}
        </ul>
      )}
      <label htmlFor={`res-${label}`} className="visually-hidden">
        How “{label}” joins the new version
      </label>
      <select
        id={`res-${label}`}
        value={encode(value ?? { kind: 'auto' })}
        style={{ width: 'auto', maxWidth: 420 }}
        onChange={(e) => onChange({ ...decode(e.target.value), name: value?.name })}
      >
        <option value="auto">default: {defaultText(names)}</option>
        <option value="new">new class “{value?.name?.trim() || label}”</option>
        {mergeTargets.map((c) => (
          <option key={`m${c.id}`} value={`merge:${c.id}`}>
            merge into {c.name}
          </option>
        ))}
        {answers.map((a) => (
          <option key={`p${a.classNode.id}`} value={`parentOf:${a.classNode.id}`}>
            new class, parent of {a.classNode.name}
          </option>
        ))}
        {answers.map((a) => (
          <option key={`w${a.classNode.id}`} value={`winsOver:${a.classNode.id}`}>
            new class, taught to win over {a.classNode.name}
          </option>
        ))}
      </select>
      {value?.kind !== 'merge' ? (
        <>
          <label htmlFor={`name-${label}`} className="visually-hidden">
            Name of the class “{label}” becomes
          </label>
          <input
            id={`name-${label}`}
            data-testid={`class-name-${label}`}
            placeholder={`named “${label}”; type another name`}
            value={value?.name ?? ''}
            style={{ width: 'auto', maxWidth: 420 }}
            onChange={(e) => onChange({ ...(value ?? { kind: 'auto' }), name: e.target.value })}
          />
        </>
      ) : null}
    </div>
  );
}
