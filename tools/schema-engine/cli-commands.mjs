// The `schema-engine cli <command>` one-shots that `prisma migrate dev` runs before starting the
// JSON-RPC engine (can the database be reached? create it if it is missing). Done with plain pg:
// the wasm engine cannot even start without a connection to an existing database.
import pg from 'pg';
import { adminQuery, withDatabase } from './pg-adapter.mjs';

/** Maps a pg connection error to Prisma's user-facing error code and message. */
export function connectionError(url, error) {
  const u = new URL(url);
  const where = `${u.hostname}:${u.port || 5432}`;
  const database = decodeURIComponent(u.pathname.slice(1)) || 'postgres';
  switch (error?.code) {
    case '3D000':
      return {
        code: 'P1003',
        message: `Database \`${database}\` does not exist on the database server at \`${where}\`.`,
      };
    case '28P01':
    case '28000':
      return {
        code: 'P1000',
        message: `Authentication failed against database server at \`${where}\`: ${error.message}`,
      };
    case 'ECONNREFUSED':
    case 'ENOTFOUND':
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
      return {
        code: 'P1001',
        message: `Can't reach database server at \`${where}\`\n\nPlease make sure your database server is running at \`${where}\`.`,
      };
    default:
      return { code: 'P1000', message: `Cannot connect to \`${where}\`: ${error?.message ?? error}` };
  }
}

/** One log line in the native engine's format (the CLI looks for ERROR + schema_engine::logger). */
export function logLine(level, fields) {
  return JSON.stringify({ timestamp: new Date().toISOString(), level, fields, target: 'schema_engine::logger' }) + '\n';
}

const quoteIdent = (name) => '"' + name.replace(/"/g, '""') + '"';

export async function runCliCommand(command, datasource) {
  // The CLI skips the first stderr line (the native engine's start-up log line), so write one.
  process.stderr.write(logLine('INFO', { message: `Starting schema engine CLI command ${command} (wasm shim)` }));
  const url = datasource?.url;
  if (!url) {
    process.stderr.write(logLine('ERROR', { message: 'schema-engine cli: --datasource with a url is required' }));
    return 1;
  }
  const database = decodeURIComponent(new URL(url).pathname.slice(1)) || 'postgres';
  try {
    switch (command) {
      case 'can-connect-to-database': {
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        await client.end();
        return 0;
      }
      case 'create-database':
        await adminQuery(url, `CREATE DATABASE ${quoteIdent(database)}`);
        process.stderr.write(logLine('INFO', { message: `Database \`${database}\` created.` }));
        return 0;
      case 'drop-database':
        await adminQuery(withDatabase(url, 'postgres'), `DROP DATABASE IF EXISTS ${quoteIdent(database)} WITH (FORCE)`);
        return 0;
      default:
        process.stderr.write(logLine('ERROR', { message: `schema-engine cli: unknown command ${command}` }));
        return 1;
    }
  } catch (error) {
    const { code, message } = connectionError(url, error);
    process.stderr.write(logLine('ERROR', { error_code: code, message }));
    return 1;
  }
}
