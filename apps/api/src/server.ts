// The HTTP server: GraphQL over /graphql (Apollo Server 5, served straight from node:http), subscriptions over
// graphql-ws on the same path, and express 5 for the rest: POST /upload, GET /images/:id,
// GET /versions/:id/export.zip, GET /health.
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
import { createContext, type ApiContext, type Services, type Viewer } from './context.js';
import { TOKEN_CACHE_MS } from '@accrete/auth';
import { viewerFromHeader } from './auth.js';
import { classify, DB_UNAVAILABLE, HTTP_STATUS, makeFormatError } from './errors.js';
import { enforceLimits, DEFAULT_LIMITS, type QueryLimits } from './limits.js';
import { uploadHandler } from './upload.js';
import { guardOperationText } from './input-guard.js';
import { graphqlHttpHandler, isGraphqlRequest } from './graphql-http.js';
import { TurnGate, isUrgentOperation } from './turn-gate.js';
import { jitGateway } from './jit-executor.js';
import { imagesHandler } from './images-route.js';
import { EXPORT_ROUTE, exportHandler } from './export-route.js';
import { registryHealth } from '@accrete/registry';

export interface ApiServerOptions {
  services: Services;
  host?: string;
  port?: number;
  dbKind: string;
  /** Compute backend of the shared backbone, for /health (undefined until loaded). */
  backend?: () => string | undefined;
  limits?: QueryLimits;
}

/** Subscriptions one socket may hold at once. */
export const MAX_SUBSCRIPTIONS_PER_SOCKET = 20;
/** GraphQL operations started per event-loop turn (TurnGate): 4 cost throughput, 8 kept turns at ~3 ms under load. */
const OPERATIONS_PER_TURN = 8;

function sameOrigin(origin: string, host: string | undefined): boolean {
  try {
    return !!host && new URL(origin).host === host;
  } catch {
    return false;
  }
}

export interface ApiServer {
  url: string;
  port: number;
  httpServer: Server;
  close(): Promise<void>;
}

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

  // A browser page on another site must not open the socket with the user's cookies-less but ambient network:
  // browsers always send Origin, so one not allowed (nor this server's own) is refused at the upgrade (403).
  // Clients without an Origin (CLI, scripts, tests) are not browsers and authenticate with their token.
  // a request the HTTP parser refuses (a body cut off mid-way, broken chunked framing, oversized headers) gets
  // a JSON error like every other answer, instead of node's bare 400
  httpServer.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (err.code === 'ECONNRESET' || !socket.writable) return void socket.destroy();
    const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    const message =
      status === 431
        ? 'request headers too large'
        : status === 408
          ? 'request timed out'
          : 'malformed or cut-off HTTP request';
    const body = JSON.stringify({ error: { code: 'BAD_INPUT', message } });
    socket.end(
      `HTTP/1.1 ${status} ${status === 400 ? 'Bad Request' : status === 408 ? 'Request Timeout' : 'Request Header Fields Too Large'}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  });
  const wsServer = new WebSocketServer({
    server: httpServer,
    path: '/graphql',
    verifyClient: (
      { origin, req }: { origin?: string; req: IncomingMessage },
      done: (ok: boolean, status?: number, message?: string) => void,
    ) =>
      !origin || config.allowedOrigins.includes(origin.replace(/\/$/, '')) || sameOrigin(origin, req.headers.host)
        ? done(true)
        : done(false, 403, 'origin not allowed (ACCRETE_ALLOWED_ORIGINS)'),
  });
  const formatError = makeFormatError(log);
  type SocketExtra = { viewer?: Viewer | null; authorization?: string | null; recheck?: NodeJS.Timeout };
  const wsCleanup = useServer<Record<string, unknown>, SocketExtra>(
    {
      schema,
      onConnect: async (ctx) => {
        const raw = ctx.connectionParams?.authorization ?? ctx.connectionParams?.Authorization;
        const authorization = typeof raw === 'string' ? raw : null;
        try {
          ctx.extra.viewer = await viewerFromHeader(prisma, authorization);
        } catch (e) {
          const known = classify(e);
          // a wrong or revoked token: 4401 with the reason (graphql-ws' Unauthorized), not 4500
          ctx.extra.socket.close(known ? 4401 : 1011, known ? known.message.slice(0, 120) : 'authentication failed');
          return false;
        }
        ctx.extra.authorization = authorization;
        if (authorization) {
          // a token revoked while the socket is open ends it (and its subscriptions) within the token cache time
          ctx.extra.recheck = setInterval(() => {
            viewerFromHeader(prisma, authorization).then(
              (v) => !v && ctx.extra.socket.close(4401, 'API token revoked'),
              (e) => {
                const known = classify(e); // e.g. the token expired meanwhile
                if (known) ctx.extra.socket.close(4401, known.message.slice(0, 120));
              },
            );
          }, TOKEN_CACHE_MS);
          ctx.extra.recheck.unref();
          ctx.extra.socket.once('close', () => clearInterval(ctx.extra.recheck));
        }
        return true;
      },
      context: (ctx) => createContext(services, ctx.extra.viewer ?? null),
      onSubscribe: (ctx, _id, payload) => {
        try {
          // at most MAX_SUBSCRIPTIONS_PER_SOCKET at once (each one polls the database); graphql-ws has already
          // reserved this one's slot in ctx.subscriptions
          if (Object.keys(ctx.subscriptions).length > MAX_SUBSCRIPTIONS_PER_SOCKET) {
            throw new GraphQLError(
              `at most ${MAX_SUBSCRIPTIONS_PER_SOCKET} subscriptions per connection; complete some first`,
              { extensions: { code: 'BAD_INPUT' } },
            );
          }
          // same cost limits and text rules as HTTP; graphql-ws parses and validates the rest itself
          const doc = parse(payload.query);
          enforceLimits(schema, doc, payload.operationName, payload.variables ?? undefined, limits);
          guardOperationText(doc, payload.variables);
        } catch (e) {
          if (e instanceof GraphQLError) return [e];
          throw e;
        }
        return undefined;
      },
      // errors over the socket carry the same extensions.code (and hide the same internals) as over HTTP
      onNext: (_ctx, _id, _payload, _args, result) =>
        result.errors ? { ...result, errors: result.errors.map((e) => formatError(e.toJSON(), e)) } : result,
      // an error thrown by a subscription's stream reaches here wrapped without a path: classify what it wraps
      onError: (_ctx, _id, _payload, errors) => errors.map((e) => formatError(e.toJSON(), e.originalError ?? e)),
    },
    wsServer,
  );

  const gate = new TurnGate(OPERATIONS_PER_TURN);
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
      {
        async serverWillStart() {
          return {
            async drainServer() {
              await wsCleanup.dispose();
            },
          };
        },
      },
      {
        async requestDidStart() {
          return {
            async didResolveOperation({ document, operationName, request, operation }) {
              enforceLimits(schema, document, operationName, request.variables, limits);
              guardOperationText(document, request.variables);
              const turn = gate.admit(isUrgentOperation(operation, document));
              if (turn) await turn;
            },
          };
        },
      },
    ],
  });
  await apollo.start();

  app.get('/health', async (_req, res) => {
    try {
      const { modelVersions, baseVersionClasses } = await registryHealth(prisma, config.baseModelName);
      res.json({
        status: 'ok',
        db: opts.dbKind,
        modelVersions,
        baseVersionClasses,
        backend: opts.backend?.() ?? null,
        jobs: config.jobs,
      });
    } catch (e) {
      // the raw text may hold SQL or the database's address: it goes to the log
      log(`health: ${(e as Error)?.message ?? String(e)}`);
      res.status(503).json({ status: 'error', code: 'SERVICE_UNAVAILABLE', message: DB_UNAVAILABLE });
    }
  });
  app.post('/upload', uploadHandler(services));
  app.get('/images/:id', imagesHandler(services));
  app.get(EXPORT_ROUTE, exportHandler(services));
  bound.graphql = graphqlHttpHandler(apollo, {
    maxBodyBytes: Math.ceil(config.maxUploadBytes * 1.4) + 1_000_000, // base64 images inline
    context: async ({ req }) => {
      try {
        return createContext(services, await viewerFromHeader(prisma, req.headers.authorization));
      } catch (e) {
        const known = classify(e);
        if (!known) throw e;
        throw new GraphQLError(known.message, {
          extensions: { code: known.code, http: { status: HTTP_STATUS[known.code] } },
        });
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
    close: () =>
      (closing ??= (async () => {
        await apollo.stop(); // drains HTTP and the websocket server
        await new Promise<void>((r) => httpServer.close(() => r()));
      })()),
  };
}
