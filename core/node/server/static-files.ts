/**
 * The page's built files, with the page CSP (output frames get theirs), right MIME types and no
 * way out of the folder (`..`, encoded slashes, symlinks).
 *
 * Caching: the build names its chunks and assets by their content hash, so those are cached for
 * good. Every other file is revalidated on each load by its ETag, and comes back as a 304 when it
 * has not changed. That keeps reopening the page fast: nothing is downloaded again, and the
 * browser reuses the code it compiled for Monaco last time (V8's code cache is only kept for
 * responses the HTTP cache keeps).
 */
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { pipeline } from 'node:stream';
import { OUTPUT_FRAME_CSP, OUTPUT_FRAME_DIR, OUTPUT_FRAME_DOCUMENTS } from '../../common/output-frames.ts';
import { PAGE_CSP } from '../../common/page-csp.ts';
import { CONTENT_TYPES } from '../../common/content-types.ts';

const FRAME_PATHS = new Set(OUTPUT_FRAME_DOCUMENTS.map((d) => `/${OUTPUT_FRAME_DIR}${d}`));

/** Folders whose file names carry a hash of their content (build/targets/renderer.mjs). */
const HASHED = /^\/(chunks|assets)\/[^/]*-[A-Z0-9]{8}\.[a-z0-9.]+$/;

/** Cache-Control for a URL path: hashed build files never change; anything else is checked. */
export function cacheControl(pathname: string): string {
  return HASHED.test(pathname) ? 'max-age=31536000, immutable' : 'no-cache';
}

/** A weak validator from size and modification time, as `send` (Express's static files) makes. */
export function entityTag(size: number, mtimeMs: number): string {
  return `W/"${size.toString(16)}-${Math.floor(mtimeMs).toString(16)}"`;
}

/** Whether an If-None-Match header names this entity tag (weak comparison, `*` included). */
export function notModified(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  const bare = (t: string) => t.trim().replace(/^W\//, '');
  return ifNoneMatch.split(',').some((t) => t.trim() === '*' || bare(t) === bare(etag));
}

export class StaticFiles {
  readonly #dir: string;
  #real: Promise<string> | undefined;

  constructor(dir: string) {
    this.#dir = dir;
  }

  /** The file for a URL path, or null when it is outside the folder or does not exist. */
  async resolve(pathname: string): Promise<string | null> {
    let decoded: string;
    try {
      decoded = decodeURIComponent(pathname);
    } catch {
      return null;
    }
    if (decoded.includes('\0') || decoded.includes('\\')) return null;
    const relative = normalize(decoded === '/' ? '/index.html' : decoded).replace(/^[/\\]+/, '');
    if (relative.split(sep).includes('..')) return null;
    let root: string;
    try {
      root = await (this.#real ??= realpath(this.#dir));
    } catch {
      this.#real = undefined; // not built yet; a build may come
      return null;
    }
    let file: string;
    try {
      file = await realpath(join(root, relative));
    } catch {
      return null;
    }
    if (!file.startsWith(root + sep)) return null;
    const info = await stat(file);
    return info.isFile() ? file : null;
  }

  async serve(pathname: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const file = await this.resolve(pathname);
    if (!file) {
      const missingPage = pathname === '/' || pathname === '/index.html';
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(missingPage ? 'The page is not built: run `npm run build` in the Probebook folder, then reload.\n' : 'Not found.\n');
      return;
    }
    const info = await stat(file);
    const etag = entityTag(info.size, info.mtimeMs);
    const headers: Record<string, string> = {
      'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
      'Content-Security-Policy': FRAME_PATHS.has(pathname) ? OUTPUT_FRAME_CSP : PAGE_CSP,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': cacheControl(pathname),
      ETag: etag,
    };
    if (!FRAME_PATHS.has(pathname)) headers['X-Frame-Options'] = 'SAMEORIGIN';
    if (notModified(req.headers['if-none-match'], etag)) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    headers['Content-Length'] = String(info.size);
    res.writeHead(200, headers);
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    // A file gone since the stat (a rebuild) fails this response, not the process.
    pipeline(createReadStream(file), res, () => undefined);
  }
}
