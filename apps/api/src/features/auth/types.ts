// Object types of auth: the scalar columns of each row. Relations are field resolvers (auth.resolver.ts),
// batched per request with DataLoader.
import { Field, ID, ObjectType } from 'type-graphql';
import { DateTime } from '../../schema/scalars.js';
import { Role } from '../../schema/enums.js';
import { Connection } from '../../schema/connection.js';

@ObjectType({ simpleResolvers: true, description: 'An API token (the secret itself is never shown again).' })
export class ApiToken {
  @Field(() => ID) id!: string;
  @Field(() => String) name!: string;
  @Field(() => Role) role!: Role;
  @Field(() => String, { description: 'First characters of the secret, to recognise it.' }) prefix!: string;
  @Field(() => DateTime) createdAt!: Date;
  @Field(() => DateTime, { nullable: true }) lastUsedAt!: Date | null;
  @Field(() => DateTime, { nullable: true }) revokedAt!: Date | null;
  @Field(() => DateTime, { nullable: true, description: 'When it stops working; null: never.' })
  expiresAt!: Date | null;
}

@ObjectType({ simpleResolvers: true, description: 'Who is calling.' })
export class Viewer {
  @Field(() => String, { nullable: true, description: 'Token name; null when anonymous (open reads).' }) name!:
    string | null;
  @Field(() => Role, { nullable: true }) role!: Role | null;
}

export const ApiTokenConnection = Connection(ApiToken, 'ApiToken');
