// Object types of jobs: the scalar columns of each row. Relations are field resolvers (jobs.resolver.ts),
// batched per request with DataLoader.
import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import type * as shapes from '@accrete/shapes';
import { DateTime, JSONScalar } from '../../schema/scalars.js';
import { JobStatus } from '../../schema/enums.js';
import { Connection } from '../../schema/connection.js';

@ObjectType({
  simpleResolvers: true,
  description: 'Training job of a version: progress is written by the job runner, read here.',
})
export class TrainingJob {
  @Field(() => ID) id!: string;
  @Field(() => JobStatus) status!: JobStatus;
  @Field(() => String) strategy!: string;
  @Field(() => JSONScalar) params!: unknown;
  @Field(() => String, {
    description: 'queued, extracting, training, evaluating, exporting, publishing… (set by the runner).',
  })
  phase!: string;
  @Field(() => Float, { description: '0..1' }) progress!: number;
  @Field(() => Float, { nullable: true }) etaSeconds!: number | null;
  @Field(() => JSONScalar, { description: 'Loss per step/epoch as written by the runner.' }) lossCurve!: unknown;
  @Field(() => String, { nullable: true }) error!: string | null;
  @Field(() => Int) attempts!: number;
  @Field(() => Boolean) cancelRequested!: boolean;
  @Field(() => DateTime) queuedAt!: Date;
  @Field(() => DateTime, { nullable: true }) startedAt!: Date | null;
  @Field(() => DateTime, { nullable: true }) heartbeatAt!: Date | null;
  @Field(() => DateTime, { nullable: true }) finishedAt!: Date | null;
  versionId!: string;
  parentVersionId!: string;
}

@ObjectType({ simpleResolvers: true, description: 'One point of a training loss curve.' })
export class LossPoint implements shapes.LossPoint {
  @Field(() => String) phase!: string;
  @Field(() => Float, { description: 'Iteration (or epoch) of the phase.' }) step!: number;
  @Field(() => Float) loss!: number;
}

export const TrainingJobConnection = Connection(TrainingJob, 'TrainingJob');
