// The HTTP server: GraphQL over /graphql (Apollo Server 5, served straight from node:http), subscriptions over
// graphql-ws on the same path, and express 5 for the rest: POST /upload, GET /images/:id, GET /health.
// One function so tests, bench and main share it.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { WebSocketServer } from 'ws';
import { useServer } from 'graphql-ws/use/ws';
import { GraphQLError, parse } from 'graphql';
import { getSchema } from './schema/build.js';
import { createContext, type ApiContext, type Services } from './context.js';
import { viewerFromHeader } from './auth.js';
import { classify, HTTP_STATUS, makeFormatError } from './errors.js';
import { enforceLimits, DEFAULT_LIMITS, type QueryLimits } from './limits.js';
import { uploadHandler } from './upload.js';
import { graphqlHttpHandler, isGraphqlRequest } from './graphql-http.js';
import { jitGateway } from './jit-executor.js';
import { imagesHandler } from './images-route.js';

export interface ApiServerOptions {
  services: Services;
  host?: string;
  port?: number;
  dbKind: string;
  /** Compute backend of the shared backbone, for /health (undefined until loaded). */
  backend?: () => string | undefined;
  limits?: QueryLimits;
}

export interface ApiServer { url: string; port: number; httpServer: Server; close(): Promise<void> }

export async function startApiServer(opts: ApiServerOptions): Promise<ApiServer> {
  const { services } = opts;
  const { prisma, config, log } = services;
  const schema = await getSchema();
  const limits = opts.limits ?? DEFAULT_LIMITS;
  const app = express();
  app.disable('x-powered-by');
  // /graphql is bound once Apollo has started (below); until then requests fall through to express's 404
  const bound: { graphql?: (req: IncomingMessage, res: ServerResponse) => Promise<void> } = {};
  const httpServer = createServer((req, res) => {
    if (bound.graphql && isGraphqlRequest(req)) void bound.graphql(req, res);
    else app(req, res);
  });
  // Idle keep-alive sockets are closed by the client first: with Node's default 5 s, a client reusing a socket
  // just as the server's timer closes it (likely when the event loop was busy) got "other side closed".
  httpServer.keepAliveTimeout = 65_000;
  httpServer.headersTimeout = 66_000;

  const wsServer = new WebSocketServer({ server: httpServer, path: '/graphql' });
  const wsCleanup = useServer<Record<string, unknown>>(
    {
      schema,
      context: async (ctx) => {
        const auth = ctx.connectionParams?.authorization ?? ctx.connectionParams?.Authorization;
        return createContext(services, await viewerFromHeader(prisma, typeof auth === 'string' ? auth : null));
      },
      onSubscribe: (_ctx, _id, payload) => {
        // same cost limits as HTTP; graphql-ws parses and validates the rest itself
        try {
          enforceLimits(schema, parse(payload.query), payload.operationName, payload.variables ?? undefined, limits);
        } catch (e) {
          if (e instanceof GraphQLError) return [e];
          throw e;
        }
        return undefined;
      },
    },
    wsServer,
  );

  const apollo = new ApolloServer<ApiContext>({
    gateway: jitGateway(schema), // our schema, executed by graphql-jit (see jit-executor.ts)
    formatError: makeFormatError(log),
    includeStacktraceInErrorResponses: false,
    csrfPrevention: true,
    introspection: true,
    stopOnTerminationSignals: false, // main.ts owns SIGINT/SIGTERM (runner and database close too)
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      // no HTTP cache hints and no landing page: both cost work on every request/field for nothing here
      ApolloServerPluginCacheControlDisabled(),
      ApolloServerPluginLandingPageDisabled(),
      { async serverWillStart() { return { async drainServer() { await wsCleanup.dispose(); } }; } },
      {
        async requestDidStart() {
          return {
            async didResolveOperation({ document, operationName, request }) {
              enforceLimits(schema, document, operationName, request.variables, limits);
            },
          };
        },
      },
    ],
  });
  await apollo.start();

  app.get('/health', async (_req, res) => {
    try {
      const base = await prisma.modelVersion.findFirst({ where: { model: { name: config.baseModelName }, number: 1 }, select: { id: true } });
      const [versions, baseClasses] = await Promise.all([
        prisma.modelVersion.count(),
        base ? prisma.versionClass.count({ where: { versionId: base.id } }) : Promise.resolve(0),
      ]);
      res.json({ status: 'ok', db: opts.dbKind, modelVersions: versions, baseVersionClasses: baseClasses, backend: opts.backend?.() ?? null, jobs: config.jobs });
    } catch (e) {
      res.status(503).json({ status: 'error', message: (e as Error).message });
    }
  });
  app.post('/upload', uploadHandler(services));
  app.get('/images/:id', imagesHandler(services));
  bound.graphql = graphqlHttpHandler(apollo, {
    maxBodyBytes: Math.ceil(config.maxUploadBytes * 1.4) + 1_000_000, // base64 images inline
    context: async ({ req }) => {
      try {
        return createContext(services, await viewerFromHeader(prisma, req.headers.authorization));
      } catch (e) {
        const known = classify(e);
        if (!known) throw e;
        throw new GraphQLError(known.message, { extensions: { code: known.code, http: { status: HTTP_STATUS[known.code] } } });
      }
    },
  });

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(opts.port ?? config.apiPort, opts.host ?? config.host, () => resolve());
  });
  const addr = httpServer.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  const url = `http://${host}:${addr.port}`;
  log(`api: listening on ${url}/graphql`);
  let closing: Promise<void> | undefined;
  return {
    url,
    port: addr.port,
    httpServer,
    close: () => (closing ??= (async () => {
      await apollo.stop(); // drains HTTP and the websocket server
      await new Promise<void>((r) => httpServer.close(() => r()));
    })()),
  };
}
