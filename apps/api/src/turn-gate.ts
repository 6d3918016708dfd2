// Admission of GraphQL operations, a few per event-loop turn: predictions first, then everything else in order.
//
// Why: a cached query runs start to finish inside the callback that delivered its body, so under a burst one turn
// of the event loop ran every request that had arrived (50 busy clients: ~20 ms per turn on a shared 2-core
// machine). A request that hops off the thread several times — predict: decode on the thread pool, inference on
// its own thread — waited one whole turn per hop. Admitting at most `perTurn` operations per turn keeps turns
// short, so such hops come back quickly; queued operations wait in order, as they would have waited for the turn.
// A prediction is what a deployed model's users wait on, interactively: it goes ahead of queued reads.
import { Kind, type DocumentNode, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';

/** Root fields whose operations are admitted ahead of the queue. */
export const URGENT_ROOT_FIELDS: ReadonlySet<string> = new Set(['predict']);

/**
 * Whether the operation selects an urgent field at the root: written directly, or inside an inline fragment or a
 * named fragment spread at the root (`{ ...F } fragment F on Query { predict … }`). Named fragments are looked up in
 * `document`; without it (or for a name it does not define) a spread counts as not urgent.
 */
export function isUrgentOperation(
  operation: OperationDefinitionNode | undefined | null,
  document?: DocumentNode | null,
): boolean {
  if (!operation) return false;
  const seen = new Set<string>(); // each fragment is looked at once (validation already refuses cycles)
  const urgentIn = (set: SelectionSetNode): boolean =>
    set.selections.some((s) => {
      if (s.kind === Kind.FIELD) return URGENT_ROOT_FIELDS.has(s.name.value);
      if (s.kind === Kind.INLINE_FRAGMENT) return urgentIn(s.selectionSet);
      const name = s.name.value;
      if (seen.has(name)) return false;
      seen.add(name);
      const fragment = document?.definitions.find((d) => d.kind === Kind.FRAGMENT_DEFINITION && d.name.value === name);
      return fragment?.kind === Kind.FRAGMENT_DEFINITION && urgentIn(fragment.selectionSet);
    });
  return urgentIn(operation.selectionSet);
}

export class TurnGate {
  private readonly urgent: (() => void)[] = [];
  private readonly queue: (() => void)[] = [];
  private budget: number;
  private refillScheduled = false;

  constructor(private readonly perTurn: number) {
    this.budget = perTurn;
  }

  /** Resolves when the operation may run; undefined when it may run now (no promise, no extra microtask). */
  admit(urgent = false): Promise<void> | undefined {
    this.scheduleRefill();
    const ahead = urgent ? this.urgent.length : this.urgent.length + this.queue.length;
    if (ahead === 0 && this.budget > 0) {
      this.budget--;
      return undefined;
    }
    return new Promise((resolve) => (urgent ? this.urgent : this.queue).push(resolve));
  }

  /** Operations waiting for a turn (for tests and diagnostics). */
  get waiting(): number {
    return this.urgent.length + this.queue.length;
  }

  // setImmediate runs after this turn's I/O callbacks; one scheduled from there runs in the next turn.
  private scheduleRefill(): void {
    if (this.refillScheduled) return;
    this.refillScheduled = true;
    setImmediate(this.refill);
  }

  private readonly refill = (): void => {
    this.refillScheduled = false;
    this.budget = this.perTurn;
    while (this.budget > 0 && this.waiting > 0) {
      this.budget--;
      (this.urgent.shift() ?? this.queue.shift())!();
    }
    if (this.waiting > 0) this.scheduleRefill();
  };
}
