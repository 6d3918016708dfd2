// Lint: TypeScript rules plus Nx module boundaries (apps → libs only; the trainer never touches DB/HTTP code).
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

const dbOrHttp = [
  '@prisma/*',
  'prisma',
  'pg',
  'pg-boss',
  '@electric-sql/*',
  'pglite-prisma-adapter',
  'express',
  '@apollo/*',
  'graphql',
  'graphql-*',
  'type-graphql',
  'next',
  'next/*',
  'react',
  'react-dom',
  'busboy',
];

export default [
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '**/.next/**',
      '**/generated/**',
      'apps/dashboard/src/gql/**',
      '.accrete/**',
      'test-artifacts/**',
      '**/.scratch/**',
      '**/*.tmp.*',
    ],
  },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx', '**/*.mjs'],
    plugins: { '@nx': nx },
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:domain', 'type:data', 'type:util', 'type:ml'] },
            // scripts: tools/ may use any lib's public entry; bench/ measures internals too ('@accrete/trainer/internals')
            {
              sourceTag: 'type:tool',
              onlyDependOnLibsWithTags: ['type:domain', 'type:data', 'type:util', 'type:ml', 'type:pure'],
            },
            {
              sourceTag: 'type:bench',
              onlyDependOnLibsWithTags: ['type:domain', 'type:data', 'type:util', 'type:ml', 'type:pure'],
            },
            { sourceTag: 'scope:web', onlyDependOnLibsWithTags: [] },
            {
              sourceTag: 'type:domain',
              onlyDependOnLibsWithTags: ['type:domain', 'type:data', 'type:util', 'type:ml'],
            },
            { sourceTag: 'type:data', onlyDependOnLibsWithTags: ['type:util'] },
            {
              sourceTag: 'type:util',
              onlyDependOnLibsWithTags: ['type:util'],
              bannedExternalImports: ['@prisma/*', 'pg', 'pg-boss', 'express', '@apollo/*', 'type-graphql'],
            },
            { sourceTag: 'type:ml', onlyDependOnLibsWithTags: ['type:pure'], bannedExternalImports: dbOrHttp },
            { sourceTag: 'type:pure', onlyDependOnLibsWithTags: ['type:pure'], bannedExternalImports: dbOrHttp },
            // the registry's successors: each stands on the data and util libs only (auth and taxonomy-store), or
            // also on the trainer's image checks (datasets); none of them reaches into the model registry or jobs
            { sourceTag: 'lib:auth', onlyDependOnLibsWithTags: ['type:data', 'type:util'] },
            { sourceTag: 'lib:taxonomy-store', onlyDependOnLibsWithTags: ['type:data', 'type:util'] },
            { sourceTag: 'lib:datasets', onlyDependOnLibsWithTags: ['type:data', 'type:util', 'type:ml'] },
          ],
        },
      ],
    },
  },
  // The API maps arguments and rows; the database belongs to the libs. Its resolvers and DataLoaders call lib verbs
  // (registry, datasets, taxonomy-store, auth): no Prisma value import and no query through a Prisma client here,
  // but the bootstrap (main.ts opens the database, app.ts wraps its client in the read retry) and the error mapping
  // (errors.ts tells a lost connection from other failures). Row and client types may still be imported.
  {
    files: ['apps/api/src/**/*.ts'],
    ignores: ['apps/api/src/main.ts', 'apps/api/src/app.ts', 'apps/api/src/errors.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: '@accrete/db',
              allowTypeImports: true,
              message: 'the API reaches the database through lib verbs (registry, datasets, taxonomy-store, auth)',
            },
          ],
          patterns: [{ group: ['@prisma/*', 'prisma'], message: 'the API reaches the database through lib verbs' }],
        },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector:
            "MemberExpression[object.name='prisma'], MemberExpression[object.property.name='prisma'] > Identifier.property[name!='prisma']",
          message: 'no Prisma query in the API: call (or add) a lib verb (registry, datasets, taxonomy-store, auth)',
        },
      ],
    },
  },
];
