'use client';
// Previous/next paging over a Relay connection: the Pager buttons and the cursor stack behind them.
import { useState } from 'react';
import { num } from '@/lib/format';

/** A stack of `after` cursors: the top is the page shown; Previous pops, Next pushes the page's end cursor. */
export function useCursorPages() {
  const [stack, setStack] = useState<string[]>([]);
  return {
    after: stack[stack.length - 1] ?? null,
    reset: () => setStack([]),
    /** Pager props for a connection's pageInfo. */
    pager: (pageInfo: { hasNextPage: boolean; endCursor?: string | null }) => ({
      hasPrev: stack.length > 0,
      hasNext: pageInfo.hasNextPage,
      onPrev: () => setStack((s) => s.slice(0, -1)),
      onNext: () => {
        const end = pageInfo.endCursor;
        if (end) setStack((s) => [...s, end]);
      },
    }),
  };
}

export function Pager({
  hasPrev,
  hasNext,
  onPrev,
  onNext,
  total,
  noun,
}: {
  hasPrev: boolean;
  hasNext: boolean;
  onPrev: () => void;
  onNext: () => void;
  total?: number;
  noun: string;
}) {
  const label = total === 1 ? noun.replace(/s$/, '') : noun;
  if (!hasPrev && !hasNext)
    return total !== undefined ? (
      <p className="muted small">
        {num(total)} {label}
      </p>
    ) : null;
  return (
    <nav className="row" aria-label={`${noun} pages`} style={{ justifyContent: 'space-between' }}>
      <span className="muted small">{total !== undefined ? `${num(total)} ${label}` : ''}</span>
      <span className="row">
        <button type="button" className="btn btn-sm" onClick={onPrev} disabled={!hasPrev}>
          ← Previous
        </button>
        <button type="button" className="btn btn-sm" onClick={onNext} disabled={!hasNext}>
          Next →
        </button>
      </span>
    </nav>
  );
}
