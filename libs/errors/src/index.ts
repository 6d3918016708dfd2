// Public surface of errors: the domain error with a stable code that every domain lib throws and the API maps.
export { RegistryError, notFound, badInput, conflict, isUniqueViolation, type ErrorCode } from './errors.js';
