// Process-level last resorts for the API and worker processes.
// - An unhandled promise rejection is a bug, but its promise's work is already over: log it and keep serving
//   (taking the whole API down for one forgotten .catch is worse than the bug).
// - An uncaught exception leaves state unknown (a half-run synchronous handler): log it and exit non-zero, so
//   the supervisor restarts a clean process; jobs it ran are resumed by the runner's recovery.
export function installProcessGuards(log: (m: string) => void, name: string): void {
  process.on('unhandledRejection', (reason) => {
    log(`${name}: unhandled rejection (kept serving): ${(reason as Error)?.stack ?? String(reason)}`);
  });
  process.on('uncaughtException', (err) => {
    log(`${name}: uncaught exception, exiting: ${err?.stack ?? String(err)}`);
    process.exit(1);
  });
}
