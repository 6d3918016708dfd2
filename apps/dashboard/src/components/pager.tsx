'use client';
// Previous/next paging over a Relay connection (cursor stack kept by the caller).
import { num } from '@/lib/format';

export function Pager({ hasPrev, hasNext, onPrev, onNext, total, noun }: { hasPrev: boolean; hasNext: boolean; onPrev: () => void; onNext: () => void; total?: number; noun: string }) {
  const label = total === 1 ? noun.replace(/s$/, '') : noun;
  if (!hasPrev && !hasNext) return total !== undefined ? <p className="muted small">{num(total)} {label}</p> : null;
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
