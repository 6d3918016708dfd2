// Scalars shared by the schema: ISO date-times and free-form JSON (training params, metrics).
import { GraphQLJSON } from 'graphql-scalars';
import { GraphQLISODateTime } from 'type-graphql';

export const JSONScalar = GraphQLJSON;
export const DateTime = GraphQLISODateTime;
