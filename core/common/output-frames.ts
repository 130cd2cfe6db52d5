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

/**
 * Every file the frames load: their documents, script, styles and plotly. A frame has an opaque
 * origin, so the browser asks for its script and styles with `Origin: null` and without the app's
 * SameSite cookies; a server that wants a session cookie must hand out exactly these files without
 * one (they are the built frame code and plotly: public, the same for everybody, no data).
 */
export const OUTPUT_FRAME_FILES = [...OUTPUT_FRAME_DOCUMENTS, 'output-frame.js', 'output-frame.css', 'plotly.min.js', 'plotly-cartesian.min.js'] as const;

/** CSP header of the frame documents. Scripts only from the app (output-frame.js, the plotly bundles). */
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
