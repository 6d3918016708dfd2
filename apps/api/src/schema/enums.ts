// GraphQL enums mirror the Prisma enums value for value, so rows map straight through.
import { registerEnumType } from 'type-graphql';

export enum Role {
  READER = 'READER',
  EDITOR = 'EDITOR',
  ADMIN = 'ADMIN',
}
export enum VersionStatus {
  PENDING = 'PENDING',
  TRAINING = 'TRAINING',
  READY = 'READY',
  FAILED = 'FAILED',
  CANCELLED = 'CANCELLED',
}
export enum JobStatus {
  QUEUED = 'QUEUED',
  RUNNING = 'RUNNING',
  SUCCEEDED = 'SUCCEEDED',
  FAILED = 'FAILED',
  CANCELLED = 'CANCELLED',
}
export enum Split {
  TRAIN = 'TRAIN',
  VAL = 'VAL',
}
export enum AliasAction {
  SET = 'SET',
  ROLLBACK = 'ROLLBACK',
}
export enum ClassOrigin {
  IMAGENET = 'IMAGENET',
  USER = 'USER',
}
/** How a requested class joins the new version. */
export enum ClassResolution {
  NEW = 'NEW',
  MERGE = 'MERGE',
}

registerEnumType(Role, {
  name: 'Role',
  description: 'API token role: READER reads, EDITOR also mutates, ADMIN also manages tokens.',
});
registerEnumType(VersionStatus, { name: 'VersionStatus' });
registerEnumType(JobStatus, { name: 'JobStatus' });
registerEnumType(Split, { name: 'Split' });
registerEnumType(AliasAction, { name: 'AliasAction' });
registerEnumType(ClassOrigin, { name: 'ClassOrigin' });
registerEnumType(ClassResolution, { name: 'ClassResolution' });
