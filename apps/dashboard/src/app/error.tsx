'use client';

// Last-resort boundary: a rendering error in a page shows here instead of a blank screen.
export default function RouteError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <div className="alert alert-error" role="alert">
      <strong>This page failed to render</strong>
      <p>{error.message}</p>
      <button type="button" className="btn btn-sm" onClick={reset}>
        Try again
      </button>
    </div>
  );
}
