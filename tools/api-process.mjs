// How the API process is started, in one place: tools/start.mjs runs it and bench/ measures that same process.
// - NODE_ENV=production (the caller's own value wins): graphql-js drops its development-only checks (a third of
//   execution time on list queries).
// - An 8 MB young generation (V8's default is 16) keeps ~30 MiB off the idle API (bench/jobs.ts apiIdle).
// - --expose-gc: main.ts runs one full collection once start-up is done (its garbage is ~27 MiB of heap).
// - MALLOC_ARENA_MAX=2: glibc gives each thread that allocates (libuv pool, inference, GC helpers) its own malloc
//   arena and keeps what they freed; two arenas hold 20–30 MiB less idle RSS (bench/results/jobs.json).
// - --no-liftoff --wasm-lazy-compilation: V8 compiles each WebAssembly function (PGlite's Postgres, Prisma's query
//   compiler) when it is first called, optimised once, instead of all of them at start-up with the baseline compiler
//   and again the hot ones: idle RSS 376–389 → 288–324 MiB, list and predict latency unchanged (bench/api.ts
//   --during-job).
export const API_NODE_FLAGS = ['--max-semi-space-size=8', '--expose-gc', '--no-liftoff', '--wasm-lazy-compilation'];
export const API_ENTRY = ['--import', 'tsx', 'apps/api/src/main.ts'];

/** @param {NodeJS.ProcessEnv} env the environment the API inherits */
export const apiEnv = (env) => ({
  ...env,
  NODE_ENV: env.NODE_ENV ?? 'production',
  MALLOC_ARENA_MAX: env.MALLOC_ARENA_MAX ?? '2',
});
