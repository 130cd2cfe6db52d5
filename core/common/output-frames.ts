/**
 * The sandboxed output frames (plots, untrusted HTML) that the page loads from the app's own
 * origin, and the Content-Security-Policy their documents must be served with. Whoever serves the
 * page (Electron's `app://` handler, `probebook serve`) serves these files with this CSP instead
 * of the page's: the frames run in `<iframe sandbox="allow-scripts">` without
 * `allow-same-origin` (an opaque origin that cannot reach the app), and plotly's WebGL traces
 * need `'unsafe-eval'` there — which the app's own page must never get.
 */

/** Folder of the frame files, relative to the page's URL (built into `dist/renderer/outputs/`). */
export const OUTPUT_FRAME_DIR = 'outputs/';

/** Frame documents in {@link OUTPUT_FRAME_DIR}; serve exactly these with {@link OUTPUT_FRAME_CSP}. */
export const OUTPUT_FRAME_DOCUMENTS = ['plot-frame.html', 'html-frame.html'] as const;

/** CSP header of the frame documents. Scripts only from the app (plotly.min.js, output-frame.js). */
export const OUTPUT_FRAME_CSP = [
  "default-src 'none'",
  "script-src 'self' 'unsafe-eval'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'self'",
].join('; ');
