// Typed views of the JSON a training job stores on versions and evaluations (@accrete/shapes defines and reads it;
// each class implements its shape): growth parameters, the "val" evaluation report and the "imagenet-retention"
// report (the loss curve is in ../jobs/types.ts). The JSON fields stay for clients that want everything; these are
// what the dashboard and scripts read.
import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import type * as shapes from '@accrete/shapes';

type GrowthMergeShape = shapes.GrowthParams['merges'][number];

type GrowthOptionsShape = shapes.GrowthParams['options'];

type LabelImageCountShape = shapes.ValidationReport['images'][number];

@ObjectType({ simpleResolvers: true, description: 'A label merged into an existing class of the parent.' })
export class GrowthMerge implements GrowthMergeShape {
  @Field(() => String) label!: string;
  @Field(() => Int, { nullable: true, description: 'The parent output unit that took the label.' }) outputUnit!:
    number | null;
  @Field(() => ID, { nullable: true, description: 'The class merged into (null for versions that did not record it).' })
  classNodeId!: string | null;
}

@ObjectType({ simpleResolvers: true, description: 'Options the growth ran with (null: the default was used).' })
export class GrowthOptions implements GrowthOptionsShape {
  @Field(() => Float, { nullable: true, description: "0 = most new-class accuracy … 1 = keep the parent's answers." })
  retentionKnob!: number | null;
  @Field(() => Int, { nullable: true }) augmentations!: number | null;
  @Field(() => Int, { nullable: true }) epochs!: number | null;
  @Field(() => Int, { nullable: true }) seed!: number | null;
  @Field(() => String, {
    nullable: true,
    description: "How augmented views were made (feature-map, mirror-and-map or image); null: the backend's default.",
  })
  views!: string | null;
}

@ObjectType({ simpleResolvers: true, description: 'What a growth runs with when the request leaves it out.' })
export class GrowthDefaults {
  @Field(() => String) strategy!: string;
  @Field(() => Float, { description: "0 = most new-class accuracy … 1 = keep the parent's answers." })
  retentionKnob!: number;
  @Field(() => Int, { description: 'Augmented copies of each training image.' }) augmentations!: number;
}

@ObjectType({ simpleResolvers: true, description: 'The growth record of one label: what was decided and why.' })
export class LabelDecision {
  @Field(() => String) label!: string;
  @Field(() => String, { description: 'merge (into an existing output unit) or new (a new output unit).' })
  decision!: string;
  @Field(() => ID, { nullable: true, description: 'The class merged into, or the class of the new unit.' }) classId!:
    string | null;
  @Field(() => ID, { nullable: true, description: 'Taxonomy parent of a new class.' }) parentId!: string | null;
  @Field(() => String, {
    description: 'plural/singular, same name, synonym, WordNet sense, head noun, caller or no match.',
  })
  reason!: string;
  @Field(() => Boolean, { description: 'True when the default decided (the request named nothing for this label).' })
  byDefault!: boolean;
  @Field(() => [ID], { description: 'Classes of the parent declared descendants of this new class.' })
  parentOf!: string[];
  @Field(() => [ID], { description: 'Classes of the parent this new class is taught to win over.' })
  winsOver!: string[];
}

@ObjectType({ simpleResolvers: true, description: 'What a version was grown with.' })
export class GrowthParams implements shapes.GrowthParams {
  @Field(() => [LabelDecision], { description: 'The growth record: per label, the decision and its reason.' })
  decisions!: LabelDecision[];
  @Field(() => [String], { description: 'Labels that got new output units.' }) newLabels!: string[];
  @Field(() => [String], { description: 'Labels merged into existing classes.' }) mergedLabels!: string[];
  @Field(() => [GrowthMerge]) merges!: GrowthMerge[];
  @Field(() => GrowthOptions) options!: GrowthOptions;
}

@ObjectType({ simpleResolvers: true, description: 'Top-1/top-5 accuracy (0..1) on `count` images.' })
export class Accuracy implements shapes.AccuracyReading {
  @Field(() => Int) count!: number;
  @Field(() => Float, { nullable: true }) top1!: number | null;
  @Field(() => Float, { nullable: true }) top5!: number | null;
}

@ObjectType({ simpleResolvers: true, description: 'Precision and recall of one output unit on the validation images.' })
export class ClassScore implements shapes.ClassScoreReading {
  @Field(() => Int) unit!: number;
  @Field(() => String) label!: string;
  @Field(() => Int, { description: 'Validation images of this class.' }) support!: number;
  @Field(() => Int, { description: 'Images predicted as this class.' }) predicted!: number;
  @Field(() => Int) correct!: number;
  @Field(() => Float, { nullable: true }) precision!: number | null;
  @Field(() => Float, { nullable: true }) recall!: number | null;
}

@ObjectType({ simpleResolvers: true, description: '`count` images of `trueLabel` predicted as `predictedLabel`.' })
export class Confusion implements shapes.ConfusionReading {
  @Field(() => Int) trueUnit!: number;
  @Field(() => String) trueLabel!: string;
  @Field(() => Int) predictedUnit!: number;
  @Field(() => String) predictedLabel!: string;
  @Field(() => Int) count!: number;
}

@ObjectType({
  simpleResolvers: true,
  description: "On validation images of old classes: how many of the parent's right answers the child keeps.",
})
export class ValidationRetention implements NonNullable<shapes.ValidationReport['retention']> {
  @Field(() => Int) count!: number;
  @Field(() => Float, { nullable: true }) parentTop1!: number | null;
  @Field(() => Float, { nullable: true }) childTop1!: number | null;
  @Field(() => Float, { nullable: true, description: 'parentTop1 − childTop1, in points of %.' }) dropPoints!:
    number | null;
  @Field(() => Float, { nullable: true, description: "Share of the parent's correct answers the child keeps." }) kept!:
    number | null;
}

@ObjectType({ simpleResolvers: true, description: 'Training and validation images of one label in a growth.' })
export class LabelImageCount implements LabelImageCountShape {
  @Field(() => String) label!: string;
  @Field(() => Int) train!: number;
  @Field(() => Int) val!: number;
}

@ObjectType({
  simpleResolvers: true,
  description:
    "Top-1 counted at the parent class: right when the prediction shares the true class's parent in the taxonomy (a daisy taken for a sunflower is right: both are flowers).",
})
export class ParentLevelAccuracy implements NonNullable<shapes.ValidationReport['parentLevel']> {
  @Field(() => Int, { description: 'Images whose class has a parent in the taxonomy.' }) count!: number;
  @Field(() => Float, { nullable: true }) top1!: number | null;
}

@ObjectType({
  simpleResolvers: true,
  description: 'The "val" evaluation: the held-out split of the training dataset version.',
})
export class ValidationReport implements shapes.ValidationReport {
  @Field(() => Accuracy) overall!: Accuracy;
  @Field(() => Accuracy, { description: "On images of the parent's classes." }) old!: Accuracy;
  @Field(() => Accuracy, { description: 'On images of the classes this growth added or merged.' }) new!: Accuracy;
  @Field(() => ValidationRetention, { nullable: true }) retention!: ValidationRetention | null;
  @Field(() => [ClassScore]) perClass!: ClassScore[];
  @Field(() => [Confusion], { description: 'New-class images predicted as something else.' }) newAsOther!: Confusion[];
  @Field(() => [Confusion], { description: 'Old-class images predicted as a new class.' }) oldAsNew!: Confusion[];
  @Field(() => [LabelImageCount]) images!: LabelImageCount[];
  @Field(() => ParentLevelAccuracy, {
    nullable: true,
    description: 'Null for versions evaluated before the roll-up existed.',
  })
  parentLevel!: ParentLevelAccuracy | null;
  @Field(() => [NewLabelScore], {
    description:
      'Per new label with validation images: leaf and leaf-or-descendant top-1, and the old units it took over.',
  })
  newLabels!: NewLabelScore[];
  @Field(() => Float, {
    nullable: true,
    description: "Top-1 counting only the image's own class (the leaf); null when the trainer did not report it.",
  })
  leafTop1!: number | null;
  @Field(() => Float, {
    nullable: true,
    description:
      "Top-1 counting the image's class or a class declared its descendant at growth (parentOfClassIds); null when not reported.",
  })
  leafOrDescendantTop1!: number | null;
  @Field(() => KnobTradeoff, {
    nullable: true,
    description:
      "What other retention knob settings would have given on this growth's held-out split; null for a strategy without the knob or an older report.",
  })
  knobTradeoff!: KnobTradeoff | null;
}

type KnobTradeoffShape = NonNullable<shapes.ValidationReport['knobTradeoff']>;
type KnobPointShape = KnobTradeoffShape['points'][number];

@ObjectType({
  simpleResolvers: true,
  description: "One setting of the retention knob, read on the growth's held-out split (expected figures).",
})
export class KnobPoint implements KnobPointShape {
  @Field(() => Float) knob!: number;
  @Field(() => Float, { nullable: true, description: "The shift it subtracts from the new classes' biases." })
  biasShift!: number | null;
  @Field(() => Float, { nullable: true, description: "Held-out accuracy on the user's classes." })
  heldOutAccuracy!: number | null;
  @Field(() => Float, { nullable: true, description: 'Held-out share of old answers (rehearsal photos) that change.' })
  heldOutChanged!: number | null;
}

@ObjectType({
  simpleResolvers: true,
  description:
    "The retention knob's trade-off on this growth: what knob 0, .25, .5, .75 and 1 give on the held-out split.",
})
export class KnobTradeoff implements KnobTradeoffShape {
  @Field(() => Float, { nullable: true, description: 'The knob this version was grown with.' })
  chosenKnob!: number | null;
  @Field(() => [KnobPoint]) points!: KnobPoint[];
}

@ObjectType({ simpleResolvers: true, description: 'Retention on the photos of old classes taken over by new ones.' })
export class TakenOverRetention {
  @Field(() => [Int], { description: 'Parent output units taken over.' }) units!: number[];
  @Field(() => Int) images!: number;
  @Field(() => Float, { nullable: true }) top1!: number | null;
  @Field(() => Float, { nullable: true }) parentTop1!: number | null;
}

@ObjectType({
  simpleResolvers: true,
  description:
    "A version against its lineage's base model on the retention photos: the cumulative forgetting of a chain of versions.",
})
export class RetentionSinceBase implements NonNullable<shapes.RetentionReport['sinceBase']> {
  @Field(() => Int, {
    description: 'Photos counted: those of classes no growth of the lineage let a new class take over.',
  })
  images!: number;
  @Field(() => Float, { nullable: true, description: "The base model's top-1 on them." }) baseTop1!: number | null;
  @Field(() => Float, { nullable: true, description: "This version's top-1 on them." }) top1!: number | null;
  @Field(() => Float, { nullable: true, description: '(base top-1 − top-1) in points.' }) dropPoints!: number | null;
  @Field(() => [Int], {
    description: 'Base units left out: taken over by new classes in this growth or an earlier one of the lineage.',
  })
  takenOverUnits!: number[];
}

@ObjectType({
  simpleResolvers: true,
  description: 'How one new label scored, at the leaf and counting its declared descendants.',
})
export class NewLabelScore {
  @Field(() => Int) unit!: number;
  @Field(() => String) label!: string;
  @Field(() => Int, { description: 'Validation images.' }) count!: number;
  @Field(() => Float, { nullable: true }) top1Leaf!: number | null;
  @Field(() => Float, { nullable: true }) top1LeafOrDescendant!: number | null;
  @Field(() => [Int], { description: 'Parent units declared its descendants.' }) descendants!: number[];
  @Field(() => [Int], { description: 'Parent units it was taught to win over.' }) winsOver!: number[];
  @Field(() => Boolean, {
    description: "True when the trainer's default chose the take-overs (the request gave none for this label).",
  })
  byDefault!: boolean;
}

@ObjectType({
  simpleResolvers: true,
  description: 'The "imagenet-retention" evaluation: one held-out photo per ImageNet class, child vs parent.',
})
export class RetentionReport implements shapes.RetentionReport {
  @Field(() => Int) images!: number;
  @Field(() => Float, { nullable: true }) top1!: number | null;
  @Field(() => Float, { nullable: true }) top5!: number | null;
  @Field(() => Float, { nullable: true }) parentTop1!: number | null;
  @Field(() => Float, { nullable: true }) parentTop5!: number | null;
  @Field(() => Float, { nullable: true, description: "Share of the parent's correct answers the child keeps." })
  retention!: number | null;
  @Field(() => Float, { nullable: true, description: 'Share of images where child and parent agree on top-1.' })
  agreement!: number | null;
  @Field(() => Float, { nullable: true, description: 'Share of images the child takes for a class it added.' })
  predictedAsAdded!: number | null;
  @Field(() => TakenOverRetention, {
    nullable: true,
    description:
      'Old classes the user let new classes take over, reported apart (left out of the figures above); null: none.',
  })
  takenOver!: TakenOverRetention | null;
  @Field(() => RetentionSinceBase, {
    nullable: true,
    description:
      'The same photos against the base model the lineage started from; null for a base version or one grown before the figure existed.',
  })
  sinceBase!: RetentionSinceBase | null;
}
