// Query cost limits, checked once per operation with its variables (so `first: $n` counts):
// depth ≤ maxDepth and complexity ≤ maxComplexity, where a field costs 1 plus its selections multiplied
// by the page size it asks for (first/last, default 20 for connections) or 10 for plain lists.
import {
  GraphQLError, getNamedType, getNullableType, isListType, isObjectType, isInterfaceType, Kind, valueFromASTUntyped,
  type DocumentNode, type FragmentDefinitionNode, type GraphQLSchema, type OperationDefinitionNode, type SelectionSetNode, type GraphQLOutputType,
  type GraphQLNamedType,
} from 'graphql';

export interface QueryLimits { maxDepth: number; maxComplexity: number }
export const DEFAULT_LIMITS: QueryLimits = { maxDepth: 12, maxComplexity: 20_000 };

function pageSize(args: readonly { name: { value: string }; value: never }[] | undefined, variables: Record<string, unknown>, used: Set<string>): number | null {
  for (const a of args ?? []) {
    if (a.name.value === 'first' || a.name.value === 'last') {
      const node = a.value as { kind: string; name?: { value: string } };
      if (node.kind === Kind.VARIABLE && node.name) used.add(node.name.value);
      const v = valueFromASTUntyped(a.value, variables);
      if (typeof v === 'number') return v;
    }
  }
  return null;
}

export interface Measure { depth: number; complexity: number; introspection: boolean; /** variables that set a page size */ pageVariables: string[] }

export function measure(schema: GraphQLSchema, doc: DocumentNode, operationName: string | null | undefined, variables: Record<string, unknown> = {}): Measure {
  const used = new Set<string>();
  const fragments = new Map<string, FragmentDefinitionNode>();
  let op: OperationDefinitionNode | undefined;
  for (const d of doc.definitions) {
    if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
    else if (d.kind === Kind.OPERATION_DEFINITION && (!operationName || d.name?.value === operationName)) op ??= d;
  }
  if (!op) return { depth: 0, complexity: 0, introspection: true, pageVariables: [] };
  const root = op.operation === 'query' ? schema.getQueryType() : op.operation === 'mutation' ? schema.getMutationType() : schema.getSubscriptionType();

  const walk = (set: SelectionSetNode, type: GraphQLNamedType | null | undefined, depth: number, seen: Set<string>): { depth: number; cost: number } => {
    let maxDepth = depth;
    let cost = 0;
    for (const sel of set.selections) {
      if (sel.kind === Kind.FIELD) {
        if (sel.name.value.startsWith('__')) continue; // introspection is not charged
        const fields = type && (isObjectType(type) || isInterfaceType(type)) ? type.getFields() : undefined;
        const fieldType: GraphQLOutputType | undefined = fields?.[sel.name.value]?.type;
        const named = fieldType ? getNamedType(fieldType) : null;
        let c = 1;
        if (sel.selectionSet) {
          const child = walk(sel.selectionSet, named, depth + 1, seen);
          maxDepth = Math.max(maxDepth, child.depth);
          const n = pageSize(sel.arguments as never, variables, used);
          const isList = fieldType ? isListType(getNullableType(fieldType)) : false;
          // a connection's page size is charged on the connection field; its edges/nodes lists are that page
          const inConnection = !!type?.name.endsWith('Connection');
          const mult = n ?? (named?.name.endsWith('Connection') ? 20 : isList && !inConnection ? 10 : 1);
          c += child.cost * Math.max(mult, 1);
        }
        cost += c;
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        const t = sel.typeCondition ? schema.getType(sel.typeCondition.name.value) : type;
        const child = walk(sel.selectionSet, t, depth, seen);
        maxDepth = Math.max(maxDepth, child.depth);
        cost += child.cost;
      } else {
        const f = fragments.get(sel.name.value);
        if (!f || seen.has(f.name.value)) continue; // cycles are rejected by standard validation anyway
        const child = walk(f.selectionSet, schema.getType(f.typeCondition.name.value), depth, new Set([...seen, f.name.value]));
        maxDepth = Math.max(maxDepth, child.depth);
        cost += child.cost;
      }
    }
    return { depth: maxDepth, cost };
  };
  const r = walk(op.selectionSet, root, 0, new Set());
  return { depth: r.depth, complexity: r.cost, introspection: false, pageVariables: [...used] };
}

// Apollo hands the same DocumentNode for the same query text (its document cache), so the measure of a document
// is kept per operation and per value of the variables that set page sizes: a busy client's repeated query is
// measured once, not walked on every request.
const measured = new WeakMap<DocumentNode, Map<string, { pageVariables: string[]; byValues: Map<string, Measure> }>>();
const MAX_VALUES_PER_OPERATION = 100;

export function measureCached(schema: GraphQLSchema, doc: DocumentNode, operationName: string | null | undefined, variables: Record<string, unknown> = {}): Measure {
  let ops = measured.get(doc);
  if (!ops) measured.set(doc, (ops = new Map()));
  const entry = ops.get(operationName ?? '');
  const key = (names: string[]) => JSON.stringify(names.map((n) => variables[n] ?? null));
  const hit = entry?.byValues.get(key(entry.pageVariables));
  if (hit) return hit;
  const m = measure(schema, doc, operationName, variables);
  const e = entry ?? { pageVariables: m.pageVariables, byValues: new Map<string, Measure>() };
  if (e.byValues.size >= MAX_VALUES_PER_OPERATION) e.byValues.clear();
  e.byValues.set(key(m.pageVariables), m);
  ops.set(operationName ?? '', e);
  return m;
}

/** Throws a BAD_INPUT GraphQLError (HTTP 400) when the operation is too deep or too costly. */
export function enforceLimits(schema: GraphQLSchema, doc: DocumentNode, operationName: string | null | undefined, variables: Record<string, unknown> | undefined, limits: QueryLimits = DEFAULT_LIMITS) {
  const m = measureCached(schema, doc, operationName, variables ?? {});
  const fail = (message: string) => new GraphQLError(message, { extensions: { code: 'BAD_INPUT', http: { status: 400 } } });
  if (m.depth > limits.maxDepth) throw fail(`query depth ${m.depth} exceeds the limit of ${limits.maxDepth}`);
  if (m.complexity > limits.maxComplexity) throw fail(`query complexity ${m.complexity} exceeds the limit of ${limits.maxComplexity}; ask for smaller pages`);
  return m;
}
