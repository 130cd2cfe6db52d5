/**
 * The Content-Security-Policy of the app's page, wherever it is served from (Electron's `app://`,
 * `probebook serve`). Scripts come only from the app's own files; nothing loads from the network.
 * Output frames get their own policy (output-frames.ts).
 */
export const PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  // Monaco positions and themes its DOM with inline styles; styles cannot run script.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  // 'self' covers the page's own WebSocket (ws: on the same host and port).
  "connect-src 'self'",
  "worker-src 'self' blob:",
  // Rich outputs render in sandboxed frames served by the app or made from its blobs.
  "frame-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'self'",
].join('; ');
