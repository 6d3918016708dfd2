// In-memory taxonomy tree: ancestors, subtrees, cycle checks. Built from flat rows (DB or data file).
import { TaxonomyError } from './errors.js';

export interface TreeInput {
  id: string;
  parentId: string | null;
  name: string;
}

export interface SubtreeNode<T extends TreeInput> {
  node: T;
  depth: number;
  /** Number of direct children, also when they were cut off by the depth limit. */
  childCount: number;
  children: SubtreeNode<T>[];
}

export class TaxonomyTree<T extends TreeInput = TreeInput> {
  private readonly byId = new Map<string, T>();
  private readonly childrenOf = new Map<string | null, T[]>();
  private readonly depthCache = new Map<string, number>();

  /** Throws INVALID_DATA on duplicate ids, unknown parents or cycles. */
  constructor(nodes: Iterable<T>) {
    for (const n of nodes) {
      if (this.byId.has(n.id)) throw new TaxonomyError('INVALID_DATA', `duplicate class node id ${n.id}`);
      this.byId.set(n.id, n);
    }
    for (const n of this.byId.values()) {
      if (n.parentId !== null && !this.byId.has(n.parentId)) {
        throw new TaxonomyError('INVALID_DATA', `class "${n.name}" (${n.id}) has unknown parent ${n.parentId}`);
      }
      const list = this.childrenOf.get(n.parentId);
      if (list) list.push(n);
      else this.childrenOf.set(n.parentId, [n]);
    }
    for (const list of this.childrenOf.values()) list.sort(byName);
    for (const id of this.byId.keys()) this.depth(id); // detects cycles
  }

  get size(): number {
    return this.byId.size;
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  get(id: string): T {
    const n = this.byId.get(id);
    if (!n) throw new TaxonomyError('NOT_FOUND', `class node ${id} does not exist`, { id });
    return n;
  }

  find(id: string): T | undefined {
    return this.byId.get(id);
  }

  nodes(): IterableIterator<T> {
    return this.byId.values();
  }

  roots(): T[] {
    return this.childrenOf.get(null) ?? [];
  }

  children(id: string): T[] {
    this.get(id);
    return this.childrenOf.get(id) ?? [];
  }

  parent(id: string): T | null {
    const p = this.get(id).parentId;
    return p === null ? null : this.get(p);
  }

  /** Distance from the root (root = 0). */
  depth(id: string): number {
    const known = this.depthCache.get(id);
    if (known !== undefined) return known;
    // Walk up to the first node of known depth, then fill in the chain on the way back.
    const chain: string[] = [];
    const onChain = new Set<string>();
    let cur: string | null = id;
    let base = -1;
    while (cur !== null) {
      const d = this.depthCache.get(cur);
      if (d !== undefined) {
        base = d;
        break;
      }
      if (onChain.has(cur)) {
        throw new TaxonomyError('INVALID_DATA', `cycle in the taxonomy through "${this.get(cur).name}" (${cur})`);
      }
      onChain.add(cur);
      chain.push(cur);
      cur = this.get(cur).parentId;
    }
    for (let i = chain.length - 1; i >= 0; i--) this.depthCache.set(chain[i], ++base);
    return this.depthCache.get(id) as number;
  }

  /** Path from the root down to the node itself (inclusive). */
  ancestors(id: string): T[] {
    const path: T[] = [];
    for (let n: T | null = this.get(id); n; n = n.parentId === null ? null : this.get(n.parentId)) path.push(n);
    return path.reverse();
  }

  /** True when `id` is `ancestorId` or lies below it. */
  isUnder(id: string, ancestorId: string): boolean {
    this.get(ancestorId);
    for (let cur: string | null = id; cur !== null; cur = this.get(cur).parentId) if (cur === ancestorId) return true;
    return false;
  }

  /** The ancestor of `id` at `depth` (the node itself when it is not that deep). */
  ancestorAtDepth(id: string, depth: number): T {
    let n = this.get(id);
    for (let d = this.depth(id); d > depth && n.parentId !== null; d--) n = this.get(n.parentId);
    return n;
  }

  lowestCommonAncestor(a: string, b: string): T | null {
    const seen = new Set(this.ancestors(a).map((n) => n.id));
    for (let cur: string | null = b; cur !== null; cur = this.get(cur).parentId)
      if (seen.has(cur)) return this.get(cur);
    return null;
  }

  /** The node and everything below it, breadth first. */
  descendants(id: string): T[] {
    const out: T[] = [this.get(id)];
    for (let i = 0; i < out.length; i++) out.push(...(this.childrenOf.get(out[i].id) ?? []));
    return out;
  }

  /** Nested subtree below `id` (or below every root when id is null), `maxDepth` levels deep (0 = node only). */
  subtree(id: string | null, maxDepth = Infinity): SubtreeNode<T>[] {
    const build = (n: T, level: number): SubtreeNode<T> => {
      const kids = this.childrenOf.get(n.id) ?? [];
      return {
        node: n,
        depth: this.depth(n.id),
        childCount: kids.length,
        children: level < maxDepth ? kids.map((k) => build(k, level + 1)) : [],
      };
    };
    const tops = id === null ? this.roots() : [this.get(id)];
    return tops.map((n) => build(n, 0));
  }

  /** Throws CYCLE when putting `id` under `newParentId` would make a node its own ancestor. */
  assertCanMove(id: string, newParentId: string): void {
    const node = this.get(id);
    const target = this.get(newParentId);
    if (id === newParentId) {
      throw new TaxonomyError('CYCLE', `cannot move "${node.name}" under itself`, { id, newParentId });
    }
    if (this.isUnder(newParentId, id)) {
      const path = this.ancestors(newParentId)
        .slice(this.depth(id))
        .map((n) => n.name)
        .join(' → ');
      throw new TaxonomyError(
        'CYCLE',
        `cannot move "${node.name}" under "${target.name}": "${target.name}" is inside "${node.name}" (${path}), so the move would make a cycle`,
        { id, newParentId },
      );
    }
  }
}

const collator = new Intl.Collator('en');

function byName(a: TreeInput, b: TreeInput): number {
  return collator.compare(a.name, b.name) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** Depth-first, parent-before-children list of a nested subtree. */
export function flattenSubtree<T extends TreeInput>(roots: SubtreeNode<T>[]): SubtreeNode<T>[] {
  const out: SubtreeNode<T>[] = [];
  const walk = (s: SubtreeNode<T>) => {
    out.push(s);
    s.children.forEach(walk);
  };
  roots.forEach(walk);
  return out;
}
