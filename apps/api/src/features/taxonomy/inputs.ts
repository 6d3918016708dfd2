// Inputs (and mutation payloads) of taxonomy, validated with class-validator before any resolver runs (errors → BAD_INPUT).
import { Field, ID, InputType } from 'type-graphql';
import { ArrayMaxSize, IsOptional, IsUUID, Length, MaxLength } from 'class-validator';
import { ClassOrigin } from '../../schema/enums.js';

@InputType()
export class ClassNodeFilter {
  @Field(() => String, { nullable: true, description: 'Name, synonym or alias (case-insensitive substring).' })
  @IsOptional()
  @MaxLength(200)
  search?: string;
  @Field(() => ClassOrigin, { nullable: true }) @IsOptional() origin?: ClassOrigin;
  @Field(() => ID, { nullable: true, description: 'Direct children of this node.' })
  @IsOptional()
  @IsUUID()
  parentId?: string;
  @Field(() => Boolean, { nullable: true, description: 'Only nodes without a parent.' })
  @IsOptional()
  rootsOnly?: boolean;
}

@InputType()
export class CreateClassInput {
  @Field(() => String) @Length(1, 200) name!: string;
  @Field(() => ID, { nullable: true, description: 'Taxonomy parent (default: a root).' })
  @IsOptional()
  @IsUUID()
  parentId?: string;
  @Field(() => [String], { nullable: true, description: 'Extra names the class is found by.' })
  @IsOptional()
  @ArrayMaxSize(50)
  aliases?: string[];
}

@InputType()
export class RenameClassInput {
  @Field(() => ID) @IsUUID() id!: string;
  @Field(() => String) @Length(1, 200) name!: string;
}

@InputType()
export class AddClassAliasInput {
  @Field(() => ID) @IsUUID() id!: string;
  @Field(() => String) @Length(1, 200) alias!: string;
}

@InputType()
export class MoveClassInput {
  @Field(() => ID) @IsUUID() id!: string;
  @Field(() => ID, { nullable: true, description: 'New parent (null = make it a root).' })
  @IsOptional()
  @IsUUID()
  parentId?: string;
}

@InputType()
export class MergeClassesInput {
  @Field(() => ID, { description: 'Class that disappears.' }) @IsUUID() sourceId!: string;
  @Field(() => ID, { description: 'Class that receives its aliases, children and references.' })
  @IsUUID()
  targetId!: string;
}
