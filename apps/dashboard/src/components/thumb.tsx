'use client';
// A lazily loaded image thumbnail: fetched only when scrolled into view, with the API token (an <img src> could
// not send the Authorization header), from GET /images/<id>?size=… on this origin.
import { useEffect, useRef, useState } from 'react';
import { authHeaders } from '@/lib/graphql';

export function thumbUrl(imageId: string, size = 256): string {
  return `/images/${encodeURIComponent(imageId)}?size=${size}`;
}

export function Thumb({ imageId, alt, size = 256 }: { imageId: string; alt: string; size?: number }) {
  const ref = useRef<HTMLDivElement>(null);
  const [visible, setVisible] = useState(false);
  const [src, setSrc] = useState<string | null>(null);
  const [failed, setFailed] = useState(false);

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const io = new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && setVisible(true), {
      rootMargin: '200px',
    });
    io.observe(el);
    return () => io.disconnect();
  }, []);

  useEffect(() => {
    if (!visible) return;
    const ctrl = new AbortController();
    let url: string | null = null;
    fetch(thumbUrl(imageId, size), { headers: authHeaders(), signal: ctrl.signal })
      .then(async (r) => {
        if (!r.ok || !(r.headers.get('content-type') ?? '').startsWith('image/')) throw new Error(`HTTP ${r.status}`);
        url = URL.createObjectURL(await r.blob());
        setSrc(url);
      })
      .catch((e: Error) => e.name !== 'AbortError' && setFailed(true));
    return () => {
      ctrl.abort();
      if (url) URL.revokeObjectURL(url);
    };
  }, [visible, imageId, size]);

  return (
    <div ref={ref} style={{ aspectRatio: '1', background: 'var(--surface-2)', display: 'grid', placeItems: 'center' }}>
      {src ? (
        <img
          src={src}
          alt={alt}
          width={size}
          height={size}
          style={{ width: '100%', height: '100%', objectFit: 'cover' }}
        />
      ) : failed ? (
        <span className="muted small" style={{ padding: '0.25rem', textAlign: 'center' }}>
          no preview
        </span>
      ) : (
        <span className="skeleton" style={{ width: '100%', height: '100%' }} aria-hidden="true" />
      )}
    </div>
  );
}
