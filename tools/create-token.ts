// Creates an API token and prints its secret once (only its sha256 is stored).
// Usage: node --import tsx tools/create-token.ts --name alice --role EDITOR     (roles: READER, EDITOR, ADMIN)
// Uses the same configuration as the API (DATABASE_URL or the PGlite database under ACCRETE_DATA_DIR); with
// embedded PGlite, stop the API first (one process at a time may open that database).
import { parseArgs } from 'node:util';
import { loadConfig } from '@accrete/config';
import { openDatabase } from '@accrete/db';
import { createApiToken } from '@accrete/auth';

const { values } = parseArgs({ options: { name: { type: 'string' }, role: { type: 'string', default: 'READER' }, help: { type: 'boolean' } } });
const role = (values.role ?? '').toUpperCase();
if (values.help || !values.name || !['READER', 'EDITOR', 'ADMIN'].includes(role)) {
  console.error('usage: node --import tsx tools/create-token.ts --name <who> --role READER|EDITOR|ADMIN');
  process.exit(values.help ? 0 : 2);
}
const config = loadConfig();
const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.paths.db, migrate: true });
try {
  const { token, apiToken } = await createApiToken(db.prisma, { name: values.name, role: role as 'READER' | 'EDITOR' | 'ADMIN' });
  console.error(`created ${apiToken.role} token "${apiToken.name}" (id ${apiToken.id}); the secret is shown only now:`);
  console.log(token);
} finally {
  await db.close();
}
