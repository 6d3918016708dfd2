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

function pageSize(args: readonly { name: { value: string }; value: never }[] | undefined, variables: Record<string, unknown>): number | null {
  for (const a of args ?? []) {
    if (a.name.value === 'first' || a.name.value === 'last') {
      const v = valueFromASTUntyped(a.value, variables);
      if (typeof v === 'number') return v;
    }
  }
  return null;
}

export function measure(schema: GraphQLSchema, doc: DocumentNode, operationName: string | null | undefined, variables: Record<string, unknown> = {}) {
  const fragments = new Map<string, FragmentDefinitionNode>();
  let op: OperationDefinitionNode | undefined;
  for (const d of doc.definitions) {
    if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
    else if (d.kind === Kind.OPERATION_DEFINITION && (!operationName || d.name?.value === operationName)) op ??= d;
  }
  if (!op) return { depth: 0, complexity: 0, introspection: true };
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
          const n = pageSize(sel.arguments as never, variables);
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
  return { depth: r.depth, complexity: r.cost, introspection: false };
}

/** Throws a BAD_INPUT GraphQLError (HTTP 400) when the operation is too deep or too costly. */
export function enforceLimits(schema: GraphQLSchema, doc: DocumentNode, operationName: string | null | undefined, variables: Record<string, unknown> | undefined, limits: QueryLimits = DEFAULT_LIMITS) {
  const m = measure(schema, doc, operationName, variables ?? {});
  const fail = (message: string) => new GraphQLError(message, { extensions: { code: 'BAD_INPUT', http: { status: 400 } } });
  if (m.depth > limits.maxDepth) throw fail(`query depth ${m.depth} exceeds the limit of ${limits.maxDepth}`);
  if (m.complexity > limits.maxComplexity) throw fail(`query complexity ${m.complexity} exceeds the limit of ${limits.maxComplexity}; ask for smaller pages`);
  return m;
}
