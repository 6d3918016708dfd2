// Query cost limits, checked once per operation with its variables (so `first: $n` counts):
// depth ≤ maxDepth and complexity ≤ maxComplexity, where a field costs 1 plus its selections multiplied
// by the page size it asks for (first/last, default 20 for connections) or 10 for plain lists.
// Introspection (__schema, __type) is charged like any selection: its lists are the schema's real sizes.
// Expensive fields carry their own base cost (FIELD_COSTS) and some a cap per operation (FIELD_CAPS).
import {
  GraphQLError,
  isEnumType,
  isInputObjectType,
  SchemaMetaFieldDef,
  TypeMetaFieldDef,
  TypeNameMetaFieldDef,
  getNamedType,
  getNullableType,
  isListType,
  isObjectType,
  isInterfaceType,
  Kind,
  valueFromASTUntyped,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type GraphQLOutputType,
  type GraphQLNamedType,
} from 'graphql';

export interface QueryLimits {
  maxDepth: number;
  maxComplexity: number;
  /** budget of __schema/__type selections */ maxIntrospection: number;
}
/** A client's standard introspection query costs about 76 000 here; two of them, or a nested bomb, do not fit. */
export const DEFAULT_LIMITS: QueryLimits = { maxDepth: 12, maxComplexity: 20_000, maxIntrospection: 100_000 };

/**
 * Base cost of fields whose resolver does far more than read a row: a prediction runs the backbone (~50 ms of
 * CPU), a comparison reads two versions' evaluations and class lists. 20 000 / 1 000 = 20 predictions at most
 * by cost; FIELD_CAPS bounds them tighter still.
 */
export const FIELD_COSTS: Record<string, number> = {
  'Query.predict': 1_000,
  'Query.compareVersions': 500,
  'Query.classSubtree': 200,
};
/** Most times a field may appear in one operation (aliases included). */
export const FIELD_CAPS: Record<string, number> = { 'Query.predict': 8 };

function pageSize(
  args: readonly { name: { value: string }; value: never }[] | undefined,
  variables: Record<string, unknown>,
  used: Set<string>,
): number | null {
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

export interface Measure {
  depth: number;
  complexity: number;
  introspection: boolean;
  /** variables that set a page size */
  pageVariables: string[];
  /** cost of the introspection selections (charged apart from complexity) */
  introspectionCost: number;
  /** how many times each capped field (FIELD_CAPS) is selected */
  capped: Record<string, number>;
}

/** Mean length of each introspection list in this schema (all types for __Schema.types): what a selection costs. */
const sizesBySchema = new WeakMap<GraphQLSchema, Map<string, number>>();
function introspectionSizes(schema: GraphQLSchema): Map<string, number> {
  let sizes = sizesBySchema.get(schema);
  if (sizes) return sizes;
  const types = Object.values(schema.getTypeMap());
  const mean = (lengths: number[]) =>
    Math.max(1, Math.ceil(lengths.reduce((a, b) => a + b, 0) / Math.max(1, lengths.length)));
  const objects = types.filter((t) => isObjectType(t) || isInterfaceType(t)) as {
    getFields(): Record<string, { args: readonly unknown[] }>;
  }[];
  const fields = objects.flatMap((t) => Object.values(t.getFields()));
  sizes = new Map([
    ['__Schema.types', types.length],
    ['__Schema.directives', schema.getDirectives().length],
    ['__Type.fields', mean(objects.map((t) => Object.keys(t.getFields()).length))],
    ['__Type.inputFields', mean(types.filter(isInputObjectType).map((t) => Object.keys(t.getFields()).length))],
    ['__Type.enumValues', mean(types.filter(isEnumType).map((t) => t.getValues().length))],
    ['__Type.interfaces', 2],
    ['__Type.possibleTypes', 2],
    ['__Field.args', mean(fields.map((f) => f.args.length))],
    ['__Directive.args', mean(schema.getDirectives().map((d) => d.args.length))],
  ]);
  sizesBySchema.set(schema, sizes);
  return sizes;
}

export function measure(
  schema: GraphQLSchema,
  doc: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown> = {},
): Measure {
  const used = new Set<string>();
  const fragments = new Map<string, FragmentDefinitionNode>();
  let op: OperationDefinitionNode | undefined;
  for (const d of doc.definitions) {
    if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
    else if (d.kind === Kind.OPERATION_DEFINITION && (!operationName || d.name?.value === operationName)) op ??= d;
  }
  if (!op) return { depth: 0, complexity: 0, introspection: true, introspectionCost: 0, pageVariables: [], capped: {} };
  let introspectionCost = 0;
  const capped: Record<string, number> = {};
  let introspection = false;
  const introspectionList = introspectionSizes(schema);
  const root =
    op.operation === 'query'
      ? schema.getQueryType()
      : op.operation === 'mutation'
        ? schema.getMutationType()
        : schema.getSubscriptionType();

  const walk = (
    set: SelectionSetNode,
    type: GraphQLNamedType | null | undefined,
    depth: number,
    seen: Set<string>,
  ): { depth: number; cost: number } => {
    let maxDepth = depth;
    let cost = 0;
    for (const sel of set.selections) {
      if (sel.kind === Kind.FIELD) {
        const name = sel.name.value;
        const fields = type && (isObjectType(type) || isInterfaceType(type)) ? type.getFields() : undefined;
        const meta =
          name === '__schema'
            ? SchemaMetaFieldDef
            : name === '__type'
              ? TypeMetaFieldDef
              : name === '__typename'
                ? TypeNameMetaFieldDef
                : undefined;
        if (meta && name !== '__typename') introspection = true;
        const fieldType: GraphQLOutputType | undefined = (meta ?? fields?.[name])?.type;
        const named = fieldType ? getNamedType(fieldType) : null;
        const coordinate = `${type?.name}.${name}`;
        if (coordinate in FIELD_CAPS) capped[coordinate] = (capped[coordinate] ?? 0) + 1;
        let c = FIELD_COSTS[coordinate] ?? 1;
        if (sel.selectionSet) {
          // introspection's nesting (ofType chains) is not depth an attacker controls beyond what complexity charges
          const child = walk(sel.selectionSet, named, named?.name.startsWith('__') ? depth : depth + 1, seen);
          maxDepth = Math.max(maxDepth, child.depth);
          const n = pageSize(sel.arguments as never, variables, used);
          const isList = fieldType ? isListType(getNullableType(fieldType)) : false;
          // a connection's page size is charged on the connection field; its edges/nodes lists are that page
          const inConnection = !!type?.name.endsWith('Connection');
          const mult =
            n ??
            (named?.name.endsWith('Connection')
              ? 20
              : isList && !inConnection
                ? ((type ? introspectionList.get(`${type.name}.${name}`) : undefined) ?? 10)
                : 1);
          c += child.cost * Math.max(mult, 1);
        }
        if (meta && name !== '__typename') introspectionCost += c;
        else cost += c;
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        const t = sel.typeCondition ? schema.getType(sel.typeCondition.name.value) : type;
        const child = walk(sel.selectionSet, t, depth, seen);
        maxDepth = Math.max(maxDepth, child.depth);
        cost += child.cost;
      } else {
        const f = fragments.get(sel.name.value);
        if (!f || seen.has(f.name.value)) continue; // cycles are rejected by standard validation anyway
        const child = walk(
          f.selectionSet,
          schema.getType(f.typeCondition.name.value),
          depth,
          new Set([...seen, f.name.value]),
        );
        maxDepth = Math.max(maxDepth, child.depth);
        cost += child.cost;
      }
    }
    return { depth: maxDepth, cost };
  };
  const r = walk(op.selectionSet, root, 0, new Set());
  return { depth: r.depth, complexity: r.cost, introspection, introspectionCost, pageVariables: [...used], capped };
}

// Apollo hands the same DocumentNode for the same query text (its document cache), so the measure of a document
// is kept per operation and per value of the variables that set page sizes: a busy client's repeated query is
// measured once, not walked on every request.
const measured = new WeakMap<DocumentNode, Map<string, { pageVariables: string[]; byValues: Map<string, Measure> }>>();
const MAX_VALUES_PER_OPERATION = 100;

export function measureCached(
  schema: GraphQLSchema,
  doc: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown> = {},
): Measure {
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
export function enforceLimits(
  schema: GraphQLSchema,
  doc: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown> | undefined,
  limits: QueryLimits = DEFAULT_LIMITS,
) {
  const m = measureCached(schema, doc, operationName, variables ?? {});
  const fail = (message: string) =>
    new GraphQLError(message, { extensions: { code: 'BAD_INPUT', http: { status: 400 } } });
  if (m.depth > limits.maxDepth) throw fail(`query depth ${m.depth} exceeds the limit of ${limits.maxDepth}`);
  if (m.complexity > limits.maxComplexity)
    throw fail(`query complexity ${m.complexity} exceeds the limit of ${limits.maxComplexity}; ask for smaller pages`);
  if (m.introspectionCost > limits.maxIntrospection)
    throw fail(
      `introspection cost ${m.introspectionCost} exceeds the limit of ${limits.maxIntrospection}; send one introspection query at a time`,
    );
  for (const [field, n] of Object.entries(m.capped)) {
    if (n > FIELD_CAPS[field])
      throw fail(`${field.split('.')[1]} appears ${n} times in one operation; the limit is ${FIELD_CAPS[field]}`);
  }
  return m;
}
