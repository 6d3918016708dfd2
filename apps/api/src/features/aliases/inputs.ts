// Inputs (and mutation payloads) of aliases, validated with class-validator before any resolver runs (errors → BAD_INPUT).
import { Field, ID, InputType } from 'type-graphql';
import { IsUUID, Matches } from 'class-validator';

/** An alias name (also what predict accepts). */
export const ALIAS = /^[a-z][a-z0-9_-]{0,39}$/;

@InputType()
export class SetAliasInput {
  @Field(() => ID) @IsUUID() modelId!: string;
  @Field(() => String) @Matches(ALIAS, { message: 'alias name must match [a-z][a-z0-9_-]{0,39}' }) name!: string;
  @Field(() => ID) @IsUUID() versionId!: string;
}

@InputType()
export class RollbackAliasInput {
  @Field(() => ID) @IsUUID() modelId!: string;
  @Field(() => String) @Matches(ALIAS, { message: 'alias name must match [a-z][a-z0-9_-]{0,39}' }) name!: string;
}
