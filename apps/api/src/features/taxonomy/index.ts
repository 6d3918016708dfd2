// Feature taxonomy: the class taxonomy: browse, search, place and edit.
export { ClassNodeResolver } from './taxonomy.resolver.js';
