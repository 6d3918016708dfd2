// Inputs (and mutation payloads) of models, validated with class-validator before any resolver runs (errors → BAD_INPUT).
import { Field, ID, InputType } from 'type-graphql';
import { IsOptional, IsUUID, MaxLength } from 'class-validator';
import { VersionStatus } from '../../schema/enums.js';

@InputType()
export class ModelFilter {
  @Field(() => String, { nullable: true, description: 'Substring of the name (case-insensitive).' })
  @IsOptional()
  @MaxLength(200)
  search?: string;
}

@InputType()
export class ModelVersionFilter {
  @Field(() => ID, { nullable: true }) @IsOptional() @IsUUID() modelId?: string;
  @Field(() => [VersionStatus], { nullable: true }) @IsOptional() status?: VersionStatus[];
  @Field(() => ID, { nullable: true }) @IsOptional() @IsUUID() parentId?: string;
}

@InputType()
export class VersionClassFilter {
  @Field(() => Boolean, {
    nullable: true,
    description: 'Only the classes this version added (true) or inherited (false).',
  })
  @IsOptional()
  added?: boolean;
  @Field(() => String, { nullable: true, description: 'Substring of the class name.' })
  @IsOptional()
  @MaxLength(200)
  search?: string;
}
