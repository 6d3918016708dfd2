// Object types of predict: the scalar columns of each row. Relations are field resolvers (predict.resolver.ts),
// batched per request with DataLoader.
import { Field, Float, Int, ObjectType } from 'type-graphql';

@ObjectType({ simpleResolvers: true, description: 'One class of a prediction.' })
export class PredictedClass {
  @Field(() => Int) outputUnit!: number;
  @Field(() => String, { description: 'Class name (the ClassNode name).' }) label!: string;
  @Field(() => Float) probability!: number;
  @Field(() => [String], { description: 'Class names from the taxonomy root down to this class.' })
  taxonomyPath!: string[];
  @Field(() => [String], {
    description:
      "Classes of this version this leaf rolls up to, nearest first: its taxonomy ancestors that are the version's classes, and new classes declared its parent when grown (the export's taxonomy.json has the same chain).",
  })
  rollsUpTo!: string[];
  classNodeId!: string;
}

@ObjectType({ simpleResolvers: true, description: 'Top-k classes of one image for one model version.' })
export class Prediction {
  @Field(() => String, {
    nullable: true,
    description: 'The alias the request named, if any (resolved at request time).',
  })
  alias!: string | null;
  @Field(() => String, { description: 'sha256 of the image bytes.' }) imageSha256!: string;
  @Field(() => [PredictedClass]) classes!: PredictedClass[];
  @Field(() => Float, { description: 'Server time spent in the classifier, ms.' }) inferenceMs!: number;
  versionId!: string;
}
