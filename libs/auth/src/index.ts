// Public surface of auth: API tokens (created once, stored as sha256, verified through a short cache) and roles.
export {
  createApiToken,
  authenticateToken,
  revokeApiToken,
  listApiTokens,
  hashToken,
  roleAtLeast,
  TOKEN_PREFIX,
  TOKEN_CACHE_MS,
  setTokenCacheTiming,
  tokenChecksSettled,
  FirstSignIn,
} from './tokens.js';
