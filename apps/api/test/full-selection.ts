// Builds "select everything" queries from the schema, for tests that compare executors field by field.
import {
  getNamedType,
  isLeafType,
  isNonNullType,
  isObjectType,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';

const hasRequiredArgs = (f: GraphQLField<unknown, unknown>) =>
  f.args.some((a) => isNonNullType(a.type) && a.defaultValue === undefined);

/** Every field of `type` reachable within `depth` levels, skipping fields with required arguments; lists ask for 3. */
export function selectAll(type: GraphQLNamedType, depth: number): string {
  if (!isObjectType(type)) return '';
  const parts = ['__typename'];
  for (const f of Object.values(type.getFields())) {
    if (hasRequiredArgs(f)) continue;
    const named = getNamedType(f.type);
    const args = f.args.some((a) => a.name === 'first') ? '(first: 3)' : '';
    if (isLeafType(named)) parts.push(`${f.name}${args}`);
    else if (depth > 0) {
      const inner = selectAll(named, depth - 1);
      if (inner) parts.push(`${f.name}${args} { ${inner} }`);
    }
  }
  return parts.join(' ');
}

/**
 * One query per root Query field: fields without required arguments, and fields whose only required argument
 * is `id: ID!` with an id from `ids` (by the field's type name).
 */
export function rootQueries(
  schema: GraphQLSchema,
  depth: number,
  ids: Map<string, string>,
): { field: string; query: string }[] {
  const root = schema.getQueryType() as GraphQLObjectType;
  const out: { field: string; query: string }[] = [];
  for (const f of Object.values(root.getFields())) {
    const named = getNamedType(f.type);
    const selection = isLeafType(named) ? '' : `{ ${selectAll(named, depth)} }`;
    const required = f.args.filter((a) => isNonNullType(a.type) && a.defaultValue === undefined);
    if (required.length === 0)
      out.push({
        field: f.name,
        query: `{ ${f.name}${f.args.some((a) => a.name === 'first') ? '(first: 3)' : ''} ${selection} }`,
      });
    else if (required.length === 1 && required[0].name === 'id' && ids.has(named.name)) {
      out.push({ field: f.name, query: `{ ${f.name}(id: ${JSON.stringify(ids.get(named.name))}) ${selection} }` });
    }
  }
  return out;
}

/** Collects one id per __typename found anywhere in a result. */
export function collectIds(value: unknown, into: Map<string, string>): Map<string, string> {
  if (Array.isArray(value)) for (const v of value) collectIds(v, into);
  else if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (typeof o.__typename === 'string' && typeof o.id === 'string' && !into.has(o.__typename))
      into.set(o.__typename, o.id);
    for (const v of Object.values(o)) collectIds(v, into);
  }
  return into;
}
