// '@accrete/db/testing': throwaway databases for tests and benches (PGlite in memory, or a scratch PostgreSQL
// database per call with ACCRETE_TEST_DB=postgres). Kept out of the production entry ('@accrete/db').
export {
  createTestDatabase,
  createScratchPgDatabase,
  testDbKind,
  skipUnlessPostgres,
  DEFAULT_TEST_PG_URL,
  type TestDatabaseOptions,
} from './test-database.js';
