/**
 * The Content-Security-Policy of an exported report (docs/export.md): only the report's own
 * scripts run (by hash), nothing loads. Pure: the report's builder writes it into the HTML, and
 * the desktop app, printing a report it was handed, serves the HTML with the same policy as a
 * header rebuilt from the script hashes alone, so an HTML file cannot loosen it.
 */

/** The policy for scripts with these hash sources (`'sha256-…'`). */
export function reportPolicy(scriptHashes: readonly string[]): string {
  return [
    "default-src 'none'",
    `script-src ${scriptHashes.join(' ')}`,
    "style-src 'unsafe-inline'",
    // blob: is the page's own: plotly turns a figure into a PNG through a blob of its SVG.
    'img-src data: blob:',
    'font-src data:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

const META = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/;
const HASH = /^'sha256-[A-Za-z0-9+/]{43}='$/;

/**
 * The report policy for the HTML of a report: its `<meta>` policy's script hashes, in the report
 * policy. Throws when the HTML has no report policy (it is not one of our reports).
 */
export function reportPolicyOf(html: string): string {
  const meta = META.exec(html.slice(0, 64 * 1024))?.[1];
  const scripts = meta
    ?.split(';')
    .map((d) => d.trim().split(/\s+/))
    .find((d) => d[0] === 'script-src');
  const hashes = scripts?.slice(1) ?? [];
  if (!meta?.startsWith("default-src 'none'") || hashes.length === 0 || !hashes.every((h) => HASH.test(h)))
    throw new Error('This is not a Probebook report: it has no report Content-Security-Policy.');
  return reportPolicy(hashes);
}
