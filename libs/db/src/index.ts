// Public surface of db: open the registry database (PGlite or PostgreSQL), migrate it, and the
// generated Prisma types. Import Prisma only through here.
export {
  openDatabase,
  MEMORY_DATA_DIR,
  redact,
  DatabaseUnreachableError,
  isDatabaseSetupError,
  type DbHandle,
  type OpenDatabaseOptions,
} from './database.js';
export {
  lockDataDir,
  askDataDirHolder,
  lockSocketPath,
  DatabaseLockedError,
  type DataDirLock,
  type LockHolder,
} from './data-dir-lock.js';
export {
  applyMigrations,
  readMigrations,
  defaultMigrationsDir,
  MigrationError,
  type MigrationFile,
  type MigrateResult,
} from './migrations.js';
export { isTransientDbError, withReadRetry } from './transient.js';
export { PrismaClient, Prisma } from './generated/prisma/client.js';
export * from './generated/prisma/enums.js';
export type {
  Backbone,
  Model,
  ModelVersion,
  VersionClass,
  ClassNode,
  ClassAlias,
  Dataset,
  DatasetVersion,
  Image,
  DatasetImage,
  DatasetVersionImage,
  DatasetImport,
  ImportRejection,
  TrainingJob,
  Evaluation,
  Alias,
  AliasEvent,
  ApiToken,
} from './generated/prisma/client.js';
