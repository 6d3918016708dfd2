'use client';
// Taxonomy: the WordNet/ImageNet class tree plus user classes (highlighted). Search, expand on demand, path
// breadcrumb, keyboard navigation (ARIA tree pattern: arrows, Home/End, Enter).
import Link from 'next/link';
import { useRouter, useSearchParams } from 'next/navigation';
import { Suspense, useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { Badge, Empty, ErrorBox, Loading, PageHeader, QueryView } from '@/components/ui';
import { graphql } from '@/gql';
import type { TaxonomyChildrenQuery } from '@/gql/graphql';
import { gqlRequest } from '@/lib/graphql';
import { useQuery } from '@/lib/hooks';
import { useSession } from '@/lib/session';

const ChildrenDoc = graphql(`
  query TaxonomyChildren($filter: ClassNodeFilter, $after: String) {
    classNodes(filter: $filter, first: 100, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        id
        name
        wnid
        origin
        depth
        children(first: 0) {
          totalCount
        }
      }
    }
  }
`);

const SearchDoc = graphql(`
  query TaxonomySearch($search: String!) {
    classNodes(filter: { search: $search }, first: 25) {
      totalCount
      nodes {
        id
        name
        origin
        path
      }
    }
  }
`);

const UserClassesDoc = graphql(`
  query UserClasses {
    classNodes(filter: { origin: USER }, first: 100) {
      totalCount
      nodes {
        id
        name
        path
      }
    }
  }
`);

const NodeDoc = graphql(`
  query TaxonomyNode($id: ID!) {
    classNode(id: $id) {
      id
      name
      wnid
      origin
      depth
      synonyms
      aliases
      createdAt
      ancestors {
        id
        name
      }
      children(first: 0) {
        totalCount
      }
    }
  }
`);

type TreeNode = TaxonomyChildrenQuery['classNodes']['nodes'][number];
interface Branch {
  nodes: TreeNode[];
  total: number;
  endCursor: string | null;
  hasNext: boolean;
  loading: boolean;
  error?: unknown;
}
const ROOT = '__root__';

export default function TaxonomyPage() {
  return (
    <>
      <PageHeader
        title="Taxonomy"
        description="ImageNet’s WordNet hierarchy and the classes users added under it. User classes are highlighted."
      />
      <Suspense fallback={<Loading />}>
        <Taxonomy />
      </Suspense>
    </>
  );
}

function Taxonomy() {
  const { token, ready } = useSession();
  const search = useSearchParams();
  const router = useRouter();
  const selected = search.get('node');
  const [branches, setBranches] = useState<Record<string, Branch>>({});
  const [expanded, setExpanded] = useState<Set<string>>(new Set());
  const [focusId, setFocusId] = useState<string | null>(null);
  const treeRef = useRef<HTMLUListElement>(null);
  const branchesRef = useRef(branches);
  branchesRef.current = branches;

  const load = useCallback(
    async (parent: string, more = false) => {
      const cur = branchesRef.current[parent];
      if (cur?.loading || (cur && !more && !cur.error)) return;
      setBranches((b) => ({
        ...b,
        [parent]: {
          ...(cur ?? { nodes: [], total: 0, endCursor: null, hasNext: false }),
          loading: true,
          error: undefined,
        },
      }));
      try {
        const d = await gqlRequest(
          ChildrenDoc,
          { filter: parent === ROOT ? { rootsOnly: true } : { parentId: parent }, after: more ? cur?.endCursor : null },
          { token },
        );
        setBranches((b) => ({
          ...b,
          [parent]: {
            nodes: [...(more ? (b[parent]?.nodes ?? []) : []), ...d.classNodes.nodes],
            total: d.classNodes.totalCount,
            endCursor: d.classNodes.pageInfo.endCursor ?? null,
            hasNext: d.classNodes.pageInfo.hasNextPage,
            loading: false,
          },
        }));
      } catch (error) {
        setBranches((b) => ({
          ...b,
          [parent]: {
            ...(b[parent] ?? { nodes: [], total: 0, endCursor: null, hasNext: false }),
            loading: false,
            error,
          },
        }));
      }
    },
    [token],
  );

  useEffect(() => {
    if (ready) void load(ROOT);
  }, [ready, load]);

  const toggle = (id: string, open?: boolean) => {
    setExpanded((s) => {
      const n = new Set(s);
      const willOpen = open ?? !n.has(id);
      if (willOpen) {
        n.add(id);
        void load(id);
      } else n.delete(id);
      return n;
    });
  };

  const select = (id: string) => {
    router.replace(`/taxonomy?node=${id}`, { scroll: false });
    setFocusId(id);
  };

  // Reveal a node chosen from search or a link: expand its ancestors.
  const reveal = useCallback(
    (ancestorIds: string[]) => {
      setExpanded((s) => {
        const n = new Set(s);
        for (const a of ancestorIds) n.add(a);
        return n;
      });
      for (const a of ancestorIds) void load(a);
    },
    [load],
  );

  // Visible items in order, for keyboard navigation.
  const visible = useMemo(() => {
    const out: { node: TreeNode; parent: string; level: number }[] = [];
    const walk = (parent: string, level: number) => {
      for (const node of branches[parent]?.nodes ?? []) {
        out.push({ node, parent, level });
        if (expanded.has(node.id)) walk(node.id, level + 1);
      }
    };
    walk(ROOT, 1);
    return out;
  }, [branches, expanded]);

  const activeId = focusId ?? selected ?? visible[0]?.node.id ?? null;

  const onKeyDown = (e: KeyboardEvent) => {
    const i = visible.findIndex((v) => v.node.id === activeId);
    if (i < 0) return;
    const cur = visible[i]!;
    const hasKids = cur.node.children.totalCount > 0;
    let next: string | null = null;
    switch (e.key) {
      case 'ArrowDown':
        next = visible[i + 1]?.node.id ?? null;
        break;
      case 'ArrowUp':
        next = visible[i - 1]?.node.id ?? null;
        break;
      case 'Home':
        next = visible[0]?.node.id ?? null;
        break;
      case 'End':
        next = visible[visible.length - 1]?.node.id ?? null;
        break;
      case 'ArrowRight':
        if (hasKids && !expanded.has(cur.node.id)) toggle(cur.node.id, true);
        else if (hasKids) next = branches[cur.node.id]?.nodes[0]?.id ?? null;
        break;
      case 'ArrowLeft':
        if (expanded.has(cur.node.id)) toggle(cur.node.id, false);
        else if (cur.parent !== ROOT) next = cur.parent;
        break;
      case 'Enter':
      case ' ':
        select(cur.node.id);
        break;
      default:
        return;
    }
    e.preventDefault();
    if (next) {
      setFocusId(next);
      requestAnimationFrame(() =>
        (treeRef.current?.querySelector(`[data-id="${next}"]`) as HTMLElement | null)?.focus(),
      );
    }
  };

  const renderBranch = (parent: string, level: number) => {
    const b = branches[parent];
    if (!b) return null;
    return (
      <>
        {b.nodes.map((n) => {
          const open = expanded.has(n.id);
          const hasKids = n.children.totalCount > 0;
          return (
            <li
              key={n.id}
              role="treeitem"
              aria-level={level}
              aria-expanded={hasKids ? open : undefined}
              aria-selected={n.id === selected}
              tabIndex={n.id === activeId ? 0 : -1}
              data-id={n.id}
              className={`tree-item${n.origin === 'USER' ? ' tree-user' : ''}`}
              onFocus={(e) => {
                if (e.target === e.currentTarget) setFocusId(n.id);
              }}
            >
              <div
                className="tree-row"
                onClick={() => {
                  select(n.id);
                  if (hasKids) toggle(n.id);
                }}
              >
                <span className="tree-toggle" aria-hidden="true">
                  {hasKids ? (open ? '▾' : '▸') : '·'}
                </span>
                <span className="tree-name">{n.name}</span>
                {n.origin === 'USER' && <Badge tone="user">user</Badge>}
                {hasKids && <span className="muted small">{n.children.totalCount}</span>}
              </div>
              {open && hasKids && (
                <ul role="group">
                  {renderBranch(n.id, level + 1)}
                  <BranchStatus branch={branches[n.id]} onMore={() => load(n.id, true)} onRetry={() => load(n.id)} />
                </ul>
              )}
            </li>
          );
        })}
      </>
    );
  };

  return (
    <div className="grid-2" style={{ gridTemplateColumns: 'minmax(0, 1.1fr) minmax(0, 1fr)' }}>
      <div className="stack">
        <SearchBox onPick={(id) => select(id)} />
        <section className="card" aria-labelledby="tree-h">
          <div className="card-head">
            <h2 id="tree-h">Tree</h2>
            <span className="muted small">↑↓ move · → expand · ← collapse · Enter select</span>
          </div>
          {!branches[ROOT] || (branches[ROOT].loading && branches[ROOT].nodes.length === 0) ? (
            <Loading label="Loading taxonomy…" />
          ) : branches[ROOT].error && branches[ROOT].nodes.length === 0 ? (
            <ErrorBox error={branches[ROOT].error} onRetry={() => load(ROOT)} />
          ) : branches[ROOT].nodes.length === 0 ? (
            <Empty>The taxonomy is empty.</Empty>
          ) : (
            <ul
              className="tree"
              role="tree"
              aria-labelledby="tree-h"
              ref={treeRef}
              onKeyDown={onKeyDown}
              data-testid="taxonomy-tree"
            >
              {renderBranch(ROOT, 1)}
              <BranchStatus branch={branches[ROOT]} onMore={() => load(ROOT, true)} onRetry={() => load(ROOT)} />
            </ul>
          )}
        </section>
      </div>
      <div className="stack">
        {selected ? <NodeDetails id={selected} onSelect={select} onReveal={reveal} /> : <UserClasses onPick={select} />}
        {selected && <UserClasses onPick={select} />}
      </div>
    </div>
  );
}

function BranchStatus({
  branch,
  onMore,
  onRetry,
}: {
  branch: Branch | undefined;
  onMore: () => void;
  onRetry: () => void;
}) {
  if (!branch) return null;
  if (branch.loading)
    return (
      <li role="none" className="muted small">
        <span className="spinner" aria-hidden="true" /> loading…
      </li>
    );
  if (branch.error)
    return (
      <li role="none">
        <button type="button" className="btn btn-sm" onClick={onRetry}>
          Failed — retry
        </button>
      </li>
    );
  if (branch.hasNext)
    return (
      <li role="none">
        <button type="button" className="btn btn-sm btn-ghost" onClick={onMore}>
          Show more ({branch.total - branch.nodes.length} left)
        </button>
      </li>
    );
  return null;
}

function SearchBox({ onPick }: { onPick: (id: string) => void }) {
  const [text, setText] = useState('');
  const [term, setTerm] = useState('');
  useEffect(() => {
    const t = setTimeout(() => setTerm(text.trim()), 250);
    return () => clearTimeout(t);
  }, [text]);
  const q = useQuery(SearchDoc, { search: term }, { skip: term.length < 2 });
  return (
    <section className="card" aria-labelledby="tx-search-h">
      <h2 id="tx-search-h" className="visually-hidden">
        Find a class
      </h2>
      <div className="field">
        <label htmlFor="tx-search">Search classes</label>
        <input
          id="tx-search"
          type="search"
          placeholder="e.g. daisy, panda, n11939491"
          value={text}
          onChange={(e) => setText(e.target.value)}
          aria-controls="tx-results"
        />
      </div>
      <div id="tx-results" aria-live="polite">
        {term.length >= 2 && (
          <QueryView state={q} loadingLabel="Searching…">
            {(d) =>
              d.classNodes.nodes.length === 0 ? (
                <p className="muted small">No class matches “{term}”.</p>
              ) : (
                <ul className="stack" style={{ listStyle: 'none', padding: 0, margin: '0.75rem 0 0', gap: '0.35rem' }}>
                  {d.classNodes.nodes.map((n) => (
                    <li key={n.id}>
                      <button
                        type="button"
                        className="btn btn-ghost btn-sm"
                        style={{ whiteSpace: 'normal', textAlign: 'left' }}
                        onClick={() => onPick(n.id)}
                      >
                        <span>
                          <strong style={n.origin === 'USER' ? { color: 'var(--user)' } : undefined}>{n.name}</strong>
                          <span className="muted small"> — {n.path.slice(0, -1).join(' › ') || 'root'}</span>
                        </span>
                      </button>
                    </li>
                  ))}
                  {d.classNodes.totalCount > d.classNodes.nodes.length && (
                    <li className="muted small">{d.classNodes.totalCount - d.classNodes.nodes.length} more…</li>
                  )}
                </ul>
              )
            }
          </QueryView>
        )}
      </div>
    </section>
  );
}

function NodeDetails({
  id,
  onSelect,
  onReveal,
}: {
  id: string;
  onSelect: (id: string) => void;
  onReveal: (ancestorIds: string[]) => void;
}) {
  const q = useQuery(NodeDoc, { id });
  const n = q.data?.classNode;
  useEffect(() => {
    if (n) onReveal(n.ancestors.map((a) => a.id));
  }, [n?.id]); // reveal once per selected node
  return (
    <section className="card" aria-labelledby="node-h" data-testid="taxonomy-node">
      {q.error && !n ? (
        <ErrorBox error={q.error} onRetry={q.refetch} />
      ) : !n ? (
        <Loading />
      ) : (
        <>
          <nav aria-label="Class path" className="breadcrumbs">
            <ol>
              {n.ancestors.map((a) => (
                <li key={a.id}>
                  <button type="button" onClick={() => onSelect(a.id)}>
                    {a.name}
                  </button>
                </li>
              ))}
              <li aria-current="page">{n.name}</li>
            </ol>
          </nav>
          <h2 id="node-h" className="row" style={{ gap: '0.5rem' }}>
            {n.name} {n.origin === 'USER' ? <Badge tone="user">user class</Badge> : <Badge>ImageNet / WordNet</Badge>}
          </h2>
          <dl className="kv">
            <dt>WordNet id</dt>
            <dd className="mono">{n.wnid ?? '—'}</dd>
            <dt>Depth</dt>
            <dd>{n.depth}</dd>
            <dt>Children</dt>
            <dd>{n.children.totalCount}</dd>
            <dt>Synonyms</dt>
            <dd>{n.synonyms.length ? n.synonyms.join(', ') : '—'}</dd>
            <dt>Aliases</dt>
            <dd>{n.aliases.length ? n.aliases.join(', ') : '—'}</dd>
          </dl>
        </>
      )}
    </section>
  );
}

function UserClasses({ onPick }: { onPick: (id: string) => void }) {
  const q = useQuery(UserClassesDoc, {});
  return (
    <section className="card" aria-labelledby="uc-h">
      <h2 id="uc-h">User classes</h2>
      <QueryView state={q}>
        {(d) =>
          d.classNodes.nodes.length === 0 ? (
            <Empty>
              No user class yet: <Link href="/training">train a version</Link> with new labels.
            </Empty>
          ) : (
            <ul className="chip-list">
              {d.classNodes.nodes.map((n) => (
                <li key={n.id}>
                  <button
                    type="button"
                    className="badge badge-user"
                    style={{ cursor: 'pointer', border: 'none' }}
                    title={n.path.join(' › ')}
                    onClick={() => onPick(n.id)}
                  >
                    {n.name}
                  </button>
                </li>
              ))}
            </ul>
          )
        }
      </QueryView>
    </section>
  );
}
