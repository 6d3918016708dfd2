// The API by feature: each folder holds its GraphQL object types, inputs and resolvers side by side.
// Shared pieces (connections, enums, scalars, the schema builder) live in ../schema.
import * as models from './models/index.js';
import * as datasets from './datasets/index.js';
import * as jobs from './jobs/index.js';
import * as overlap from './overlap/index.js';
import * as aliases from './aliases/index.js';
import * as predict from './predict/index.js';
import * as taxonomy from './taxonomy/index.js';
import * as auth from './auth/index.js';

/** Every resolver class of the schema, feature by feature. */
export const resolvers = [
  ...models.resolvers,
  ...datasets.resolvers,
  ...jobs.resolvers,
  ...overlap.resolvers,
  ...aliases.resolvers,
  ...predict.resolvers,
  ...taxonomy.resolvers,
  ...auth.resolvers,
];
