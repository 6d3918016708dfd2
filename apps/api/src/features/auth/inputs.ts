// Inputs (and mutation payloads) of auth, validated with class-validator before any resolver runs (errors → BAD_INPUT).
import { Field, InputType, ObjectType } from 'type-graphql';
import { IsIn, IsOptional, Length } from 'class-validator';
import { DateTime } from '../../schema/scalars.js';
import { Role } from '../../schema/enums.js';
import { ApiToken } from './types.js';

@InputType()
export class ApiTokenFilter {
  @Field(() => Boolean, { nullable: true, defaultValue: false }) @IsOptional() includeRevoked?: boolean;
}

@InputType()
export class CreateApiTokenInput {
  @Field(() => String, { description: 'Who uses it; recorded as the actor of alias moves.' })
  @Length(1, 100)
  name!: string;
  @Field(() => Role) @IsIn(Object.values(Role)) role!: Role;
  @Field(() => DateTime, {
    nullable: true,
    description: 'When the token stops working (must be in the future); null: never.',
  })
  @IsOptional()
  expiresAt?: Date | null;
}

@ObjectType({ simpleResolvers: true })
export class CreateApiTokenPayload {
  @Field(() => String, { description: 'The secret: shown once, store it now.' }) token!: string;
  @Field(() => ApiToken) apiToken!: ApiToken;
}
