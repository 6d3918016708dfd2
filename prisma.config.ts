// Prisma CLI config (Prisma 7). The app itself never reads this: it uses libs/db with driver adapters.
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/accrete_dev' },
});
