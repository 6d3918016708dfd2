// GraphQL over HTTP straight from node:http into Apollo Server's integration API (executeHTTPGraphQLRequest),
// the same contract @as-integrations/express5 implements. The express stack (router, body-parser, content
// negotiation, ETag hashing) cost about a fifth of a small query's CPU, and /graphql needs none of it.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer, type BaseContext, type ContextFunction } from '@apollo/server';

export interface GraphqlHttpOptions<TContext extends BaseContext> {
  /** Largest request body accepted, in bytes (predict sends images inline as base64). */
  maxBodyBytes: number;
  context: ContextFunction<[{ req: IncomingMessage }], TContext>;
}

class BodyError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function sendError(res: ServerResponse, status: number, message: string): void {
  const body = JSON.stringify({
    errors: [{ message, extensions: { code: status === 500 ? 'INTERNAL_SERVER_ERROR' : 'BAD_INPUT' } }],
  });
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > maxBytes)
    return Promise.reject(new BodyError(413, `request body of ${declared} bytes exceeds the limit of ${maxBytes}`));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        // stop reading; the handler answers 413 and then closes the connection (destroying it now would
        // leave a chunked sender with a reset instead of an answer)
        req.removeAllListeners('data');
        req.pause();
        reject(new BodyError(413, `request body exceeds the limit of ${maxBytes} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
    req.on('error', reject);
    // a client that goes away mid-body: settle, so nothing waits on (or holds) this request
    req.on('close', () => !req.complete && reject(new BodyError(400, 'the request body was cut off')));
  });
}

/** Parses a JSON body when the request says it is JSON; anything else reaches Apollo as no body (it answers 400). */
async function parseBody(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  if (req.method !== 'POST') return undefined;
  const raw = await readBody(req, maxBytes);
  const type = req.headers['content-type']?.split(';')[0].trim().toLowerCase();
  if (type !== 'application/json' && !type?.endsWith('+json')) return undefined;
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch (e) {
    throw new BodyError(400, `request body is not valid JSON: ${(e as Error).message}`);
  }
}

export function graphqlHttpHandler<TContext extends BaseContext>(
  apollo: ApolloServer<TContext>,
  opts: GraphqlHttpOptions<TContext>,
) {
  apollo.assertStarted('graphqlHttpHandler()');
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    let body: unknown;
    try {
      body = await parseBody(req, opts.maxBodyBytes);
    } catch (e) {
      if (e instanceof BodyError) {
        if (e.status === 413) {
          res.setHeader('connection', 'close');
          res.on('finish', () => req.destroy());
        }
        return sendError(res, e.status, e.message);
      }
      return sendError(res, 400, `could not read the request body: ${(e as Error).message}`);
    }
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    const q = req.url!.indexOf('?');
    let response: Awaited<ReturnType<typeof apollo.executeHTTPGraphQLRequest>>;
    try {
      response = await apollo.executeHTTPGraphQLRequest({
        httpGraphQLRequest: {
          method: req.method!.toUpperCase(),
          headers,
          search: q < 0 ? '' : req.url!.slice(q),
          body,
        },
        context: () => opts.context({ req }),
      });
    } catch (e) {
      console.error(`graphql: ${(e as Error)?.stack ?? e}`);
      return sendError(res, 500, 'internal error (see the server log)');
    }
    for (const [key, value] of response.headers) res.setHeader(key, value);
    res.statusCode = response.status ?? 200;
    if (response.body.kind === 'complete') {
      res.setHeader('content-length', Buffer.byteLength(response.body.string));
      res.end(response.body.string);
      return;
    }
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  };
}

/** True for requests this handler serves: /graphql (with or without a query string), any method but upgrades. */
export function isGraphqlRequest(req: IncomingMessage, path = '/graphql'): boolean {
  const url = req.url ?? '';
  return (url === path || url.startsWith(`${path}?`)) && req.headers.upgrade === undefined;
}
