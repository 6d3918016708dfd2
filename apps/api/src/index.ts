// Public surface of api: start the server in-process (tests, bench, tools) and the schema.
export { startApi, classifierLoader, type ApiApp, type StartApiOptions } from './app.js';
export { startApiServer, type ApiServer, type ApiServerOptions } from './server.js';
export { getSchema } from './schema/build.js';
export { CSRF_HEADER } from './upload.js';
export { DEFAULT_LIMITS, measure, enforceLimits, type QueryLimits } from './limits.js';
