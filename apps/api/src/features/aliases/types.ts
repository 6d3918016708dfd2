// Object types of aliases: the scalar columns of each row. Relations are field resolvers (aliases.resolver.ts),
// batched per request with DataLoader.
import { Field, ID, ObjectType } from 'type-graphql';
import { DateTime } from '../../schema/scalars.js';
import { AliasAction } from '../../schema/enums.js';
import { Connection } from '../../schema/connection.js';

@ObjectType({
  simpleResolvers: true,
  description: 'A movable name (production, staging…) pointing at one version of a model.',
})
export class Alias {
  @Field(() => ID) id!: string;
  @Field(() => String) name!: string;
  @Field(() => DateTime) updatedAt!: Date;
  modelId!: string;
  versionId!: string;
}

@ObjectType({ simpleResolvers: true, description: 'One move of an alias (append-only).' })
export class AliasEvent {
  @Field(() => ID) id!: string;
  @Field(() => AliasAction) action!: AliasAction;
  @Field(() => String, { description: 'Name of the API token that moved the alias ("system" for seeding).' })
  actor!: string;
  @Field(() => DateTime) createdAt!: Date;
  aliasId!: string;
  fromVersionId!: string | null;
  toVersionId!: string;
}

export const AliasEventConnection = Connection(AliasEvent, 'AliasEvent');
