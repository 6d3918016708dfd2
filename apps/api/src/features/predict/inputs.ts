// Inputs (and mutation payloads) of predict, validated with class-validator before any resolver runs (errors → BAD_INPUT).
import { Field, ID, InputType, Int } from 'type-graphql';
import { IsBase64, IsOptional, IsUUID, Matches, Max, Min } from 'class-validator';
import { ALIAS } from '../aliases/inputs.js';

@InputType({
  description:
    'One image (imageBase64, or imageId of a stored Image) and one version (versionId, or alias of modelId).',
})
export class PredictInput {
  @Field(() => String, { nullable: true, description: 'Image bytes, base64 (JPEG/PNG/WebP…).' })
  @IsOptional()
  @IsBase64()
  imageBase64?: string;
  @Field(() => ID, {
    nullable: true,
    description: 'Id of a stored Image (e.g. DatasetImage.image.id, or returned by POST /upload).',
  })
  @IsOptional()
  @IsUUID()
  imageId?: string;
  @Field(() => ID, { nullable: true }) @IsOptional() @IsUUID() versionId?: string;
  @Field(() => ID, { nullable: true, description: 'Model of `alias` (default: the base model).' })
  @IsOptional()
  @IsUUID()
  modelId?: string;
  @Field(() => String, {
    nullable: true,
    description: 'Alias resolved at request time (default "production" when no versionId).',
  })
  @IsOptional()
  @Matches(ALIAS)
  alias?: string;
  @Field(() => Int, { nullable: true, defaultValue: 5 }) @IsOptional() @Min(1) @Max(50) topK?: number;
}
