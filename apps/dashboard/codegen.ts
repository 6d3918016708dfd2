// GraphQL codegen: typed documents for the dashboard from the API's SDL (apps/api/schema.graphql, emitted by
// `npx tsx apps/api/src/emit-schema.ts`). Output src/gql/ is generated, gitignored. Run: nx run dashboard:codegen
import type { CodegenConfig } from '@graphql-codegen/cli';
import { fileURLToPath } from 'node:url';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

const config: CodegenConfig = {
  schema: here('../api/schema.graphql'),
  documents: [here('src/**/*.{ts,tsx}'), `!${here('src/gql/**/*')}`],
  ignoreNoDocuments: true,
  generates: {
    [here('src/gql/')]: {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        // Documents are plain strings sent with fetch: no GraphQL runtime in the browser bundle.
        documentMode: 'string',
        useTypeImports: true,
        enumsAsTypes: true,
        skipTypename: true,
        scalars: { DateTimeISO: 'string', DateTime: 'string', JSON: 'unknown', JSONObject: 'Record<string, unknown>' },
      },
    },
  },
};

export default config;
