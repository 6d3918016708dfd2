// Object types of overlap: the scalar columns of each row. Relations are field resolvers (overlap.resolver.ts),
// batched per request with DataLoader.
import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { LabelDecision } from '../models/reports.js';

@ObjectType({
  simpleResolvers: true,
  description: 'A class of the parent version that a dataset label overlaps by name.',
})
export class NameProposal {
  @Field(() => ID) classId!: string;
  @Field(() => String) name!: string;
  @Field(() => Int, { description: 'Its output unit in the parent version.' }) outputUnit!: number;
  @Field(() => String, { description: 'plural/singular, same name, synonym, WordNet sense or head noun.' })
  reason!: string;
  @Field(() => String, {
    description:
      'is: the label is this class (merged by default); under: a kind of it (a new class under it by default).',
  })
  relation!: string;
}

@ObjectType({
  simpleResolvers: true,
  description: 'One dataset label before growing: its name overlaps and the default decision.',
})
export class LabelOverlap {
  @Field(() => String) label!: string;
  @Field(() => Int) train!: number;
  @Field(() => Int) val!: number;
  @Field(() => [NameProposal], { description: 'Classes of the parent version it overlaps by name, best first.' })
  proposals!: NameProposal[];
  @Field(() => LabelDecision, {
    nullable: true,
    description: 'What createModelVersion does with this label when the request names nothing.',
  })
  byDefault!: LabelDecision | null;
  @Field(() => String, { nullable: true, description: 'Why no default could be worked out (the request must decide).' })
  problem!: string | null;
  @Field(() => String, {
    nullable: true,
    description:
      "The problem's stable code, the extensions.details.reason createModelVersion refuses the label with: " +
      'AMBIGUOUS_NAME (the name is several classes: proposals lists them), SAME_CLASS (another label resolves to the ' +
      'same class), DUPLICATE_NAME (two labels would make classes of the same name ignoring case and Unicode form), ' +
      'INVALID_NAME (no letters or digits: give the class a name).',
  })
  problemCode!: string | null;
}

@ObjectType({ description: "A class of the parent version answering some of a label's images." })
export class OverlapAnswer {
  @Field(() => Int) outputUnit!: number;
  @Field(() => Float, { description: "Share (0..1) of the label's images the parent answers with this class (top-1)." })
  share!: number;
  @Field(() => Boolean, {
    description:
      "True when the trainer's default (no decision for the label) lets the new class win over this class: it answers at least 25 % of the images.",
  })
  takenOverByDefault!: boolean;
  @Field(() => String, {
    description:
      'What the default does with this class and why: TAKEN_OVER (it answers at least 25 % of the images), BELOW_SHARE ' +
      '(fewer), HAS_IMAGES (it has the share, but the request has images of it: a label merged into it or a class an ' +
      'earlier version added, so it is never taken over by default), LABEL_MERGED (it has the share, but the label is ' +
      'merged into an existing class, which takes nothing over).',
  })
  defaultTakeover!: string;
  @Field(() => String, { description: 'defaultTakeover in a sentence, to show beside the answer.' })
  defaultTakeoverNote!: string;
  classNodeId!: string;
}

@ObjectType({ simpleResolvers: true, description: "What the parent answers on one label's training images." })
export class LabelDataOverlap {
  @Field(() => String) label!: string;
  @Field(() => Int, { description: 'Training images looked at (capped per label).' }) images!: number;
  @Field(() => [OverlapAnswer], { description: 'At most 3, biggest share first.' }) answers!: OverlapAnswer[];
}

@ObjectType({
  simpleResolvers: true,
  description: 'The data-overlap report of a (parent version, dataset version) pair.',
})
export class DataOverlapReport {
  @Field(() => ID) parentVersionId!: string;
  @Field(() => ID) datasetVersionId!: string;
  @Field(() => String, { description: 'RUNNING, READY or FAILED.' }) status!: string;
  @Field(() => Int, { description: 'Images processed so far.' }) done!: number;
  @Field(() => Int) total!: number;
  @Field(() => String, { nullable: true }) error!: string | null;
  @Field(() => [LabelDataOverlap], { description: 'Empty until READY.' }) labels!: LabelDataOverlap[];
}
