// Inline SVG icons (no icon font, no CDN). Decorative: aria-hidden.
import type { ReactNode } from 'react';

function Icon({ children, size = 18 }: { children: ReactNode; size?: number }) {
  return (
    <svg
      width={size}
      height={size}
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      strokeWidth="1.8"
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
      focusable="false"
    >
      {children}
    </svg>
  );
}

export const Logo = () => (
  <svg width="26" height="26" viewBox="0 0 32 32" aria-hidden="true" focusable="false">
    <circle cx="16" cy="16" r="15" fill="var(--accent)" />
    <circle cx="16" cy="16" r="9.5" fill="none" stroke="var(--on-accent)" strokeWidth="2" opacity="0.55" />
    <circle cx="16" cy="16" r="4.5" fill="var(--on-accent)" />
  </svg>
);
export const ModelsIcon = () => (
  <Icon>
    <path d="M12 3 3 8l9 5 9-5-9-5Z" />
    <path d="m3 13 9 5 9-5" />
    <path d="m3 17.5 9 5 9-5" opacity="0.5" />
  </Icon>
);
export const DatasetsIcon = () => (
  <Icon>
    <rect x="3" y="4" width="18" height="16" rx="2" />
    <circle cx="9" cy="10" r="2" />
    <path d="m21 16-5-5-9 9" />
  </Icon>
);
export const TaxonomyIcon = () => (
  <Icon>
    <circle cx="12" cy="4.5" r="2" />
    <circle cx="5" cy="19" r="2" />
    <circle cx="12" cy="19" r="2" />
    <circle cx="19" cy="19" r="2" />
    <path d="M12 6.5V17M12 11H5v6M12 11h7v6" />
  </Icon>
);
export const TrainingIcon = () => (
  <Icon>
    <path d="M3 20h18" />
    <path d="M5 16 10 10l4 3 6-8" />
  </Icon>
);
export const PlaygroundIcon = () => (
  <Icon>
    <circle cx="12" cy="12" r="9" />
    <path d="m10 8 6 4-6 4V8Z" />
  </Icon>
);
export const KeyIcon = () => (
  <Icon>
    <circle cx="8" cy="15" r="4" />
    <path d="m11 12 9-9M17 6l3 3M15 8l2 2" />
  </Icon>
);
