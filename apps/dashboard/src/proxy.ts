// Rewrites the API routes to the API origin at request time, so the browser talks to one origin (no CORS) and one
// build serves any API address: ACCRETE_API_URL is read from the environment of `next start`, not baked in.
import { NextResponse, type NextRequest } from 'next/server';

const DEFAULT_API_URL = 'http://127.0.0.1:4000';

export function proxy(request: NextRequest) {
  const origin = process.env.ACCRETE_API_URL || DEFAULT_API_URL;
  const { pathname, search } = request.nextUrl;
  return NextResponse.rewrite(new URL(`${pathname}${search}`, origin));
}

export const config = {
  matcher: ['/graphql', '/upload', '/upload/:path*', '/images/:path*', '/versions/:id/export.zip', '/health'],
};
