// The JSON-RPC methods of the native schema engine, served by the wasm engine.
//
// Most methods pass straight through. Three cannot: the wasm engine's PostgreSQL connector refuses
// to replay the migration history into a shadow database ("PostgreSQL shadow DB must be provided
// through an external factory") everywhere except in `diff` with a `migrations` target, which does
// use the adapter's connectToShadowDb. So createMigration, devDiagnostic and evaluateDataLoss are
// rebuilt here on top of `diff` (and diagnoseMigrationHistory never opts into the shadow database).
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import pg from 'pg';
import { connectionError } from './cli-commands.mjs';
import { adminQuery, MigrationPgAdapterFactory } from './pg-adapter.mjs';
import { loadSchemaEngineWasm } from './wasm-engine.mjs';

const NO_FILTER = { externalTables: [], externalEnums: [] };
const quoteIdent = (name) => '"' + name.replace(/"/g, '""') + '"';

/** Native-style migration directory name: UTC yyyyMMddHHmmss + '_' + name. */
function migrationDirName(name, now = new Date()) {
  const p = (n, w = 2) => String(n).padStart(w, '0');
  const ts =
    `${p(now.getUTCFullYear(), 4)}${p(now.getUTCMonth() + 1)}${p(now.getUTCDate())}` +
    `${p(now.getUTCHours())}${p(now.getUTCMinutes())}${p(now.getUTCSeconds())}`;
  return name ? `${ts}_${name}` : ts;
}

/**
 * An adapter for when no database is reachable: it answers the engine's start-up probe (schema
 * exists? version?) and nothing else, which is all that diffs between schema files need.
 */
function offlineAdapterFactory() {
  const refuse = async () => {
    throw new Error('schema-engine: no database connection (offline mode only diffs schema files and empty)');
  };
  const adapter = {
    provider: 'postgres',
    adapterName: 'offline',
    async queryRaw(query) {
      if (/version\(\)/.test(query.sql) && /server_version_num/.test(query.sql)) {
        return {
          columnNames: ['exists', 'version', 'numeric_version'],
          columnTypes: [5, 7, 0], // Boolean, Text, Int32
          rows: [[true, 'PostgreSQL 15.0 (offline: no database connection)', 150000]],
        };
      }
      return refuse();
    },
    executeRaw: refuse,
    executeScript: refuse,
    startTransaction: refuse,
    getConnectionInfo: () => ({ supportsRelationJoins: true }),
    dispose: async () => undefined,
  };
  return { provider: 'postgres', adapterName: 'offline', connect: async () => adapter, connectToShadowDb: refuse };
}

const needsDatabase = (target) =>
  target && (target.tag === 'schemaDatasource' || target.tag === 'url' || target.tag === 'migrations');

export function createEngineSession({ datasource, datamodels, host }) {
  let wasm;
  let engine; // a promise of { engine, offline }
  const url = datasource?.url;

  async function start(allowOffline) {
    wasm ??= await loadSchemaEngineWasm();
    const log = (line) => process.stderr.write(line + '\n');
    const options = { datamodels: datamodels.length ? datamodels : undefined };
    if (url) {
      try {
        const factory = bindMigrationAwareSqlAdapterFactory(new MigrationPgAdapterFactory(datasource));
        return { engine: await wasm.SchemaEngine.new(options, log, factory), offline: false };
      } catch (error) {
        if (!allowOffline) throw asConnectionError(error);
      }
    } else if (!allowOffline) {
      throw new Error('schema-engine: no datasource url (set datasource.url in prisma.config.ts)');
    }
    const factory = bindMigrationAwareSqlAdapterFactory(offlineAdapterFactory());
    return { engine: await wasm.SchemaEngine.new(options, log, factory), offline: true };
  }

  function asConnectionError(error) {
    // The engine's own message for a missing database is fine; give unreachable servers Prisma's code.
    const code = error?.cause?.code ?? error?.code;
    if (url && typeof code === 'string' && /^(E[A-Z]+|3D000|28P01|28000)$/.test(code)) {
      const mapped = connectionError(url, error);
      return Object.assign(new Error(mapped.message), { errorCode: mapped.code });
    }
    return error;
  }

  /** The engine, connected to the database (or offline when `allowOffline` and none is reachable). */
  async function getEngine(allowOffline = false) {
    if (engine) {
      const current = await engine.catch(() => undefined);
      if (current && !(current.offline && !allowOffline)) return current.engine;
      if (current?.offline) current.engine.free();
    }
    engine = start(allowOffline);
    return (await engine).engine;
  }

  const schemaFiles = () => datamodels.map(([path, content]) => ({ path, content }));

  async function diffMigrationsTo(engineInstance, migrationsList, to, filters, script) {
    return engineInstance.diff({
      from: { tag: 'migrations', ...migrationsList },
      to,
      script,
      exitCode: true,
      filters: filters ?? NO_FILTER,
    });
  }

  const methods = {
    async createMigration({ draft, migrationName, migrationsList, schema, filters }) {
      const e = await getEngine();
      const to = { tag: 'schemaDatamodel', files: schema?.files ?? schemaFiles() };
      const { exitCode, stdout } = await diffMigrationsTo(e, migrationsList, to, filters, true);
      const empty = exitCode === 0;
      return {
        connectorType: 'postgresql',
        generatedMigrationName: migrationDirName(migrationName),
        migrationScript: empty && !draft ? null : empty ? '-- This is an empty migration.' : stdout,
        extension: 'sql',
      };
    },

    async devDiagnostic({ migrationsList, filters }) {
      const e = await getEngine();
      const history = await e.diagnoseMigrationHistory({
        migrationsList,
        optInToShadowDatabase: false,
        filters: filters ?? NO_FILTER,
      });
      const reset = (reason) => ({ action: { tag: 'reset', reason } });
      if (history.failedMigrationNames.length > 0) {
        return reset(`The following migration(s) failed to apply: ${history.failedMigrationNames.join(', ')}`);
      }
      if (history.editedMigrationNames.length > 0) {
        return reset(
          `The following migration(s) were modified after they were applied:\n${history.editedMigrationNames.map((n) => `- ${n}`).join('\n')}`,
        );
      }
      const h = history.history;
      if (h?.diagnostic === 'migrationsDirectoryIsBehind') {
        return reset(
          `The following migration(s) are applied to the database but missing from the local migrations directory: ${h.unpersistedMigrationNames.join(', ')}`,
        );
      }
      if (h?.diagnostic === 'historiesDiverge') {
        return reset(
          `The migrations recorded in the database diverge from the local migrations directory. Last common migration: \`${h.lastCommonMigrationName ?? 'none'}\`. ` +
            `Migrations applied to the database but absent from the migrations directory are: ${h.unpersistedMigrationNames.join(', ')}`,
        );
      }
      // Drift: the database against the migrations it has applied, replayed in a shadow database.
      const unapplied = new Set(h?.diagnostic === 'databaseIsBehind' ? h.unappliedMigrationNames : []);
      const applied = {
        ...migrationsList,
        migrationDirectories: migrationsList.migrationDirectories.filter((d) => !unapplied.has(d.path)),
      };
      const drift = await diffMigrationsTo(
        e,
        applied,
        { tag: 'schemaDatasource', files: schemaFiles(), configDir: process.cwd() },
        filters,
        false,
      );
      if (drift.exitCode !== 0) {
        return reset(
          'Drift detected: Your database schema is not in sync with your migration history.\n\n' +
            'The following is a summary of the differences between the expected database schema given your migrations files, and the actual schema of the database.\n\n' +
            'It should be understood as the set of changes to get from the expected schema to the actual schema.\n\n' +
            drift.stdout,
        );
      }
      return { action: { tag: 'createMigration' } };
    },

    async evaluateDataLoss({ migrationsList, schema, filters }) {
      const e = await getEngine();
      const to = { tag: 'schemaDatamodel', files: schema?.files ?? schemaFiles() };
      const { exitCode, stdout } = await diffMigrationsTo(e, migrationsList, to, filters, true);
      if (exitCode === 0) return { migrationSteps: 0, warnings: [], unexecutableSteps: [] };
      return { ...(await dataLossChecks(url, stdout)), migrationSteps: countSteps(stdout) };
    },

    async diagnoseMigrationHistory(params) {
      return (await getEngine()).diagnoseMigrationHistory({ ...params, optInToShadowDatabase: false });
    },

    async diff(params) {
      const offlineOk = !needsDatabase(params.from) && !needsDatabase(params.to);
      const result = await (await getEngine(offlineOk)).diff({ ...params, filters: params.filters ?? NO_FILTER });
      if (!host || result.stdout == null) return result;
      await host.print(result.stdout.replace(/\n+$/, '')); // the CLI adds the newline
      return { exitCode: result.exitCode, stdout: null };
    },

    async getDatabaseVersion() {
      return (await getEngine()).version();
    },

    async createDatabase(params) {
      const target = params?.datasource?.tag === 'ConnectionString' ? params.datasource.url : url;
      const name = decodeURIComponent(new URL(target).pathname.slice(1));
      await adminQuery(target, `CREATE DATABASE ${quoteIdent(name)}`);
      return { databaseName: name };
    },

    async getDatabaseDescription() {
      throw new Error('getDatabaseDescription is not supported by the wasm schema engine');
    },
  };

  const passThrough = new Set([
    'applyMigrations',
    'dbExecute',
    'ensureConnectionValidity',
    'introspect',
    'introspectSql',
    'markMigrationApplied',
    'markMigrationRolledBack',
    'reset',
    'schemaPush',
  ]);

  return {
    async call(method, params) {
      if (methods[method]) return methods[method](params);
      if (passThrough.has(method)) return (await getEngine())[method](params);
      if (method === 'debugPanic') return (await getEngine()).debugPanic();
      throw Object.assign(new Error(`Method not found: ${method}`), { rpcCode: -32601 });
    },

    /** A JSON-RPC error object the Prisma CLI understands (data.message, data.error_code). */
    toRpcError(error) {
      if (error?.rpcCode) return { code: error.rpcCode, message: error.message };
      const message = String(error?.message ?? error);
      const errorCode = error?.errorCode ?? error?.error_code ?? /\b(P[0-9]{4})\b/.exec(message)?.[1];
      const isPanic = error instanceof WebAssembly.RuntimeError || /panicked at/.test(message);
      return {
        code: 4466,
        message: 'An error happened. Check the data field for details.',
        data: {
          is_panic: isPanic,
          message: isPanic ? undefined : message,
          error: isPanic ? { message } : undefined,
          error_code: errorCode,
          meta: error?.meta,
        },
      };
    },

    async dispose() {
      const current = await engine?.catch(() => undefined);
      current?.engine.free();
    },
  };
}

/** Number of steps in a rendered migration script (each starts with a `-- StepKind` comment). */
function countSteps(script) {
  return (script.match(/^-- [A-Z][A-Za-z]+$/gm) ?? []).length || 1;
}

/**
 * The native engine warns before dropping data and refuses steps that cannot run on the current
 * rows. We check the same two things on the rendered script against the live database.
 */
async function dataLossChecks(url, script) {
  const warnings = [];
  const unexecutableSteps = [];
  if (!url) return { warnings, unexecutableSteps };
  const steps = script.split(/^(?=-- [A-Z][A-Za-z]+$)/m).filter((s) => /^-- [A-Z]/.test(s));
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const count = async (sql) => Number((await client.query(sql)).rows[0]?.n ?? 0);
  const tableExists = async (table) =>
    (await client.query('SELECT to_regclass($1) IS NOT NULL AS e', [quoteIdent(table)])).rows[0]?.e;
  try {
    for (const [stepIndex, step] of steps.entries()) {
      for (const m of step.matchAll(/DROP TABLE "([^"]+)"/g)) {
        const table = m[1];
        if (!(await tableExists(table))) continue;
        const n = await count(`SELECT count(*)::int AS n FROM ${quoteIdent(table)}`);
        if (n > 0)
          warnings.push({
            message: `You are about to drop the \`${table}\` table, which is not empty (${n} rows).`,
            stepIndex,
          });
      }
      const alter = /ALTER TABLE "([^"]+)"/.exec(step);
      if (!alter || !(await tableExists(alter[1]))) continue;
      const table = alter[1];
      for (const m of step.matchAll(/DROP COLUMN "([^"]+)"/g)) {
        const n = await count(
          `SELECT count(*)::int AS n FROM ${quoteIdent(table)} WHERE ${quoteIdent(m[1])} IS NOT NULL`,
        ).catch(() => 0);
        if (n > 0) {
          warnings.push({
            message: `You are about to drop the column \`${m[1]}\` on the \`${table}\` table, which still contains ${n} non-null values.`,
            stepIndex,
          });
        }
      }
      for (const m of step.matchAll(/ADD COLUMN "([^"]+)" [^,;]*?NOT NULL(?![^,;]*DEFAULT)/g)) {
        const n = await count(`SELECT count(*)::int AS n FROM ${quoteIdent(table)}`);
        if (n > 0) {
          unexecutableSteps.push({
            message: `Added the required column \`${m[1]}\` to the \`${table}\` table without a default value. There are ${n} rows in this table, it is not possible to execute this step.`,
            stepIndex,
          });
        }
      }
    }
  } finally {
    await client.end();
  }
  return { warnings, unexecutableSteps };
}
