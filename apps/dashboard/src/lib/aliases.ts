// Alias history helpers (pure).

export interface AliasMove<V> {
  action: 'SET' | 'ROLLBACK' | string;
  toVersion: V;
}

/**
 * Where rollbackAlias would move an alias, from its history NEWEST FIRST: the API replays the history as a stack
 * (SET pushes its target, ROLLBACK pops) and moves the alias to the entry below the top. Returns null when there is
 * nothing to roll back to, or when the history is truncated (then only the API knows).
 */
export function rollbackTarget<V>(historyNewestFirst: AliasMove<V>[], truncated = false): V | null {
  if (truncated) return null;
  const stack: V[] = [];
  for (const e of [...historyNewestFirst].reverse()) {
    if (e.action === 'SET') stack.push(e.toVersion);
    else stack.pop();
  }
  return stack.length >= 2 ? stack[stack.length - 2]! : null;
}
