// Executes operations with graphql-jit (queries compiled once to plain functions) instead of graphql-js's
// interpreter: about a quarter of the execution time on list queries (0.04 vs 0.17 ms per page of 20 classes).
// Apollo Server 5 has no executor option; its GatewayInterface (load() → executor) is the public hook through
// which a server gets one, so this "gateway" serves our own schema and only swaps the executor. Parsing,
// validation, plugins, error formatting and HTTP stay Apollo's.
import {
  execute,
  printSchema,
  GraphQLError,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLSchema,
  type SourceLocation,
} from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import type { GatewayExecutor, GatewayInterface } from '@apollo/server-gateway-interface';

export interface JitGatewayOptions {
  /** Compiled operations kept (least recently used dropped first). */
  cacheSize?: number;
}

/**
 * graphql-jit reports errors as look-alikes of GraphQLError (same prototype, but `extensions` left undefined),
 * which Apollo's error normalisation cannot read; rebuild each as a real one, keeping path, locations and the
 * resolver's original error (our error codes are derived from it).
 */
function toGraphQLError(e: GraphQLError): GraphQLError {
  const original = e.originalError ?? undefined;
  const err = new GraphQLError(e.message, {
    path: e.path,
    originalError: original,
    extensions: e.extensions ?? (original as { extensions?: Record<string, unknown> } | undefined)?.extensions,
  });
  // locations come computed (jit keeps no AST nodes); GraphQLError only derives them from nodes, so copy them
  if (e.locations) (err as { locations?: readonly SourceLocation[] }).locations = e.locations;
  return err;
}

export interface JitRequest {
  document: DocumentNode;
  operationName?: string | null;
  variables?: Record<string, unknown>;
  context: unknown;
  /** Identifies the document text (Apollo's query hash); with the operation name it keys the compiled cache. */
  cacheKey: string;
}

/** An executor with the result contract of graphql-js's execute(), running compiled operations. */
export function createJitExecutor(schema: GraphQLSchema, opts: JitGatewayOptions = {}) {
  const cacheSize = opts.cacheSize ?? 1000;
  const compiled = new Map<string, CompiledQuery>();
  return async (req: JitRequest): Promise<ExecutionResult> => {
    const key = `${req.cacheKey}:${req.operationName ?? ''}`;
    let query = compiled.get(key);
    if (query) {
      compiled.delete(key); // refresh its place in the LRU order
    } else {
      const result = compileQuery(schema, req.document, req.operationName ?? undefined);
      if (!isCompiledQuery(result)) return result; // e.g. an unknown operation name: errors, as graphql-js reports them
      query = result;
    }
    compiled.set(key, query);
    if (compiled.size > cacheSize) compiled.delete(compiled.keys().next().value!);

    const result = await query.query(undefined, req.context, req.variables ?? {});
    // errors without data come from variable coercion, before any resolver ran: let graphql-js report them, so
    // clients get its exact messages (which Apollo recognises and answers with BAD_USER_INPUT and HTTP 400)
    if (result.errors?.length && result.data === undefined) {
      return execute({
        schema,
        document: req.document,
        operationName: req.operationName,
        variableValues: req.variables,
        contextValue: req.context,
      });
    }
    return result.errors?.length ? { ...result, errors: result.errors.map(toGraphQLError) } : result;
  };
}

export function jitGateway(schema: GraphQLSchema, opts: JitGatewayOptions = {}): GatewayInterface {
  const run = createJitExecutor(schema, opts);
  const executor: GatewayExecutor = (rc) =>
    run({
      document: rc.document,
      operationName: rc.operationName,
      variables: rc.request.variables,
      context: rc.context,
      cacheKey: rc.queryHash,
    });
  return {
    onSchemaLoadOrUpdate(callback) {
      callback({ apiSchema: schema, coreSupergraphSdl: printSchema(schema) });
      return () => undefined;
    },
    async load() {
      return { executor };
    },
    async stop() {},
  };
}
