// Feature auth: the caller and API tokens.
export { AuthResolver } from './auth.resolver.js';
