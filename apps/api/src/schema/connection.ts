// Relay-style connections: one generic class per node type, built by a factory so every list looks alike.
import { ArgsType, Field, Int, ObjectType, type ClassType } from 'type-graphql';
import { IsOptional, Max, Min } from 'class-validator';

@ObjectType({ simpleResolvers: true, description: 'Relay page info.' })
export class PageInfo {
  @Field(() => Boolean) hasNextPage!: boolean;
  @Field(() => Boolean) hasPreviousPage!: boolean;
  @Field(() => String, { nullable: true }) startCursor!: string | null;
  @Field(() => String, { nullable: true }) endCursor!: string | null;
}

@ArgsType()
export class PageArgs {
  // The paging rule is told once, in each connection type's description: an argument description would make the
  // SDL printer spell the whole argument list out field by field.
  @Field(() => Int, { nullable: true })
  @IsOptional()
  @Min(0)
  @Max(100)
  first?: number;

  @Field(() => String, { nullable: true }) @IsOptional() after?: string;

  @Field(() => Int, { nullable: true })
  @IsOptional()
  @Min(0)
  @Max(100)
  last?: number;

  @Field(() => String, { nullable: true }) @IsOptional() before?: string;
}

export function Connection<T extends object>(nodeType: ClassType<T>, name: string) {
  @ObjectType(`${name}Edge`, { simpleResolvers: true })
  class Edge {
    @Field(() => String) cursor!: string;
    @Field(() => nodeType) node!: T;
  }

  // The registry's paginate() returns exactly this shape; totalCount is a getter, so the extra count query
  // runs only when a client asks for it. It yields a promise, so it keeps a resolver (`simple: false`): the
  // compiled executor reads resolver-less fields as plain values.
  @ObjectType(`${name}Connection`, {
    simpleResolvers: true,
    description:
      'A page: `first` items after the cursor `after` (default 20, at most 100), or `last` items before `before` (at most 100).',
  })
  class Conn {
    @Field(() => [Edge]) edges!: Edge[];
    @Field(() => [nodeType], { description: 'The nodes of `edges`, for clients that do not need cursors.' })
    nodes!: T[];
    @Field(() => PageInfo) pageInfo!: PageInfo;
    @Field(() => Int, { simple: false, description: 'Count of all items matching the filter (one extra query).' })
    totalCount!: number;
  }
  return Conn;
}
