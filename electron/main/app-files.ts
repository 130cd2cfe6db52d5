/**
 * Serves the page's files (dist/renderer) for the `app://probebook/` scheme: URL to path with
 * traversal and symlink escapes rejected, a content type by extension, and the CSP headers.
 * Plain Node, so it is tested against real files; `protocol.ts` only wraps it in a Response.
 */
import { readFile, realpath, stat } from 'node:fs/promises';
import { extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { isAppUrl } from '../shared/app-origin.ts';
import { APP_RESPONSE_HEADERS } from './csp.ts';
import { CONTENT_TYPES } from '../../core/common/content-types.ts';
import { OUTPUT_FRAME_CSP, OUTPUT_FRAME_DIR, OUTPUT_FRAME_DOCUMENTS } from '../../core/common/output-frames.ts';

/** The sandboxed output frames' documents, relative to the app folder: served with the frame CSP. */
const FRAME_DOCUMENTS = new Set<string>(OUTPUT_FRAME_DOCUMENTS.map((d) => join(OUTPUT_FRAME_DIR, d)));

export type AppPath = { ok: true; path: string } | { ok: false; status: 400 | 403; reason: string };

/** The file under `root` that `url` names, or why it may not be served. No I/O. */
export function resolveAppPath(root: string, url: string): AppPath {
  if (!isAppUrl(url)) return { ok: false, status: 403, reason: `not on the app origin: ${url}` };
  let pathname: string;
  try {
    pathname = decodeURIComponent(new URL(url).pathname);
  } catch {
    return { ok: false, status: 400, reason: `malformed percent-encoding in ${url}` };
  }
  if (pathname.includes('\0') || pathname.includes('\\')) {
    return { ok: false, status: 400, reason: `forbidden character in ${JSON.stringify(pathname)}` };
  }
  if (pathname === '' || pathname.endsWith('/')) pathname += 'index.html';
  const path = join(root, pathname);
  const rel = relative(root, path);
  // Guards path traversal: %2e%2e and friends are decoded only now, after the URL parser ran.
  if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
    return { ok: false, status: 403, reason: `outside the app folder: ${pathname}` };
  }
  return { ok: true, path };
}

/** The Content-Type for a served file; unknown kinds are served as bytes, never sniffed. */
export function contentTypeOf(path: string): string {
  return CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

export interface AppResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer | string;
}

function refusal(status: number, reason: string): AppResponse {
  return { status, headers: { ...APP_RESPONSE_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' }, body: reason };
}

/** Reads the file for `url` from `root`, refusing anything outside it (symlinks included). */
export async function readAppFile(root: string, url: string): Promise<AppResponse> {
  const resolved = resolveAppPath(root, url);
  if (!resolved.ok) return refusal(resolved.status, resolved.reason);
  try {
    const [realRoot, realPath] = await Promise.all([realpath(root), realpath(resolved.path)]);
    const rel = relative(realRoot, realPath);
    // Guards symlink escapes: a link inside dist/renderer must not expose files outside it.
    if (rel.startsWith(`..${sep}`) || rel === '..' || isAbsolute(rel)) {
      return refusal(403, `outside the app folder (symlink): ${resolved.path}`);
    }
    if (!(await stat(realPath)).isFile()) return refusal(404, `not a file: ${resolved.path}`);
    const body = await readFile(realPath);
    const headers: Record<string, string> = { ...APP_RESPONSE_HEADERS, 'Content-Type': contentTypeOf(realPath) };
    // The frames (opaque origin, sandboxed) get their own policy: 'unsafe-eval' for plotly's WebGL, never the page's.
    if (FRAME_DOCUMENTS.has(relative(resolve(root), resolved.path))) headers['Content-Security-Policy'] = OUTPUT_FRAME_CSP;
    return { status: 200, headers, body };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return refusal(404, `no such file in the app: ${resolved.path}`);
    return refusal(500, `cannot read ${resolved.path}: ${(error as Error).message}`);
  }
}
