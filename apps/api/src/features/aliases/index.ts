// Feature aliases: aliases: set, roll back, history.
export { AliasResolver, AliasEventResolver } from './aliases.resolver.js';
