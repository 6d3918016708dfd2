// Public surface of pagination: Relay keyset pagination over Prisma-style finders, and over arrays.
export {
  paginate,
  paginateTable,
  NEWEST_FIRST,
  type Table,
  paginateArray,
  encodeCursor,
  decodeCursor,
  DEFAULT_PAGE,
  MAX_PAGE,
  type Page,
  type PageArgs,
  type PageInfo,
  type SortKey,
  likeLiteral,
  containsText,
} from './pagination.js';
