// Creates an API token and prints its secret once (only its sha256 is stored).
// Usage: node --import tsx tools/create-token.ts --name alice --role EDITOR [--expires-in-days 90]
//        (roles: READER, EDITOR, ADMIN; without --expires-in-days the token never expires)
// Same configuration as the API. With PostgreSQL (DATABASE_URL) the token is written to the database, which every
// API reads. With embedded PGlite only one process may open the database: when the API holds it, the API creates
// the token (asked through its data-dir lock socket); when another process holds it, nothing is created and the
// tool says who holds it. The secret is printed only after the token is stored.
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '@accrete/config';
import { askDataDirHolder, DatabaseLockedError, openDatabase } from '@accrete/db';
import { createApiToken } from '@accrete/auth';

type Role = 'READER' | 'EDITOR' | 'ADMIN';
interface Created {
  token: string;
  id: string;
  name: string;
  role: string;
}

const fail = (message: string, code = 1): never => {
  console.error(`create-token: ${message}`);
  process.exit(code);
};

const { values } = parseArgs({
  options: {
    name: { type: 'string' },
    role: { type: 'string', default: 'READER' },
    'expires-in-days': { type: 'string' },
    help: { type: 'boolean' },
  },
});
const role = (values.role ?? '').toUpperCase();
const days = values['expires-in-days'] === undefined ? null : Number(values['expires-in-days']);
if (
  values.help ||
  !values.name ||
  !['READER', 'EDITOR', 'ADMIN'].includes(role) ||
  (days !== null && !(Number.isFinite(days) && days > 0 && days <= 36_500))
) {
  console.error(
    'usage: node --import tsx tools/create-token.ts --name <who> --role READER|EDITOR|ADMIN [--expires-in-days N (0 < N <= 36500)]',
  );
  process.exit(values.help ? 0 : 2);
}
const expiresAt = days === null ? null : new Date(Date.now() + days * 86_400_000);
const config = (() => {
  try {
    return loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) return fail(e.message, 2);
    throw e;
  }
})();

async function createHere(): Promise<Created> {
  const db = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.paths.db,
    migrate: true,
    program: 'tools/create-token.ts',
  });
  let created: Created;
  try {
    const { token, apiToken } = await createApiToken(db.prisma, { name: values.name!, role: role as Role, expiresAt });
    created = { token, id: apiToken.id, name: apiToken.name, role: apiToken.role };
  } finally {
    await db.close(); // PGlite writes its files at close: the secret is shown only once this succeeded
  }
  return created;
}

let created: Created;
let via = '';
try {
  created = await createHere();
} catch (e) {
  if (!(e instanceof DatabaseLockedError)) fail((e as Error).message);
  const { holder } = e as DatabaseLockedError;
  if (!holder?.ops.includes('createApiToken')) {
    fail(
      `${(e as Error).message}.\nNo token was created. Stop that process and run this again` +
        (holder ? '' : ' (or, if it hangs, end it)') +
        '; with PGlite one process at a time may open the database.',
    );
  }
  try {
    created = (await askDataDirHolder(config.paths.db, {
      op: 'createApiToken',
      name: values.name,
      role,
      expiresAt: expiresAt?.toISOString() ?? null,
    })) as Created;
  } catch (err) {
    fail(
      `the API (pid ${holder!.pid}) holds the database but could not create the token: ${(err as Error).message}. No token was created.`,
    );
  }
  via = ` by the running API (pid ${holder!.pid}${holder!.info.url ? `, ${holder!.info.url}` : ''})`;
}
// Which database holds it: a token written to the embedded PGlite while the API runs on PostgreSQL (DATABASE_URL
// not set in this shell) would be refused by that API as unknown.
const where = config.databaseUrl
  ? (() => {
      const u = new URL(config.databaseUrl);
      return `PostgreSQL ${u.host}${u.pathname}`;
    })()
  : `the embedded database in ${config.paths.db} (no DATABASE_URL)`;
console.error(
  `created ${created!.role} token "${created!.name}" (id ${created!.id})${expiresAt ? `, expires ${expiresAt.toISOString()}` : ''} in ${where}${via}; the secret is shown only now:`,
);
console.log(created!.token);
