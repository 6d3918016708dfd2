// Next.js config of the dashboard. The browser only ever talks to this origin: /graphql, /upload and the image
// routes are rewritten to the API at request time by src/proxy.ts (ACCRETE_API_URL is read when the server
// starts, not baked in at build time, so one build serves any API address).
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  devIndicators: false,
  // node_modules live at the repo root (one lockfile for the monorepo).
  turbopack: { root: repoRoot },
  outputFileTracingRoot: repoRoot,
  experimental: {
    // Rewritten requests are proxied with a body clone capped at this size: uploads above it would be cut.
    proxyClientMaxBodySize: '200mb',
  },
};

export default nextConfig;
