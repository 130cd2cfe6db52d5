/**
 * The page's built files, with the page CSP (output frames get theirs), right MIME types and no
 * way out of the folder (`..`, encoded slashes, symlinks).
 */
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { OUTPUT_FRAME_CSP, OUTPUT_FRAME_DIR, OUTPUT_FRAME_DOCUMENTS } from '../../common/output-frames.ts';
import { PAGE_CSP } from '../../common/page-csp.ts';
import { CONTENT_TYPES } from '../../common/content-types.ts';

const FRAME_PATHS = new Set(OUTPUT_FRAME_DOCUMENTS.map((d) => `/${OUTPUT_FRAME_DIR}${d}`));

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
    const headers: Record<string, string> = {
      'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
      'Content-Length': String(info.size),
      'Content-Security-Policy': FRAME_PATHS.has(pathname) ? OUTPUT_FRAME_CSP : PAGE_CSP,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      // The page is small and changes with every build; the token-free URL must not be cached by proxies.
      'Cache-Control': 'no-cache',
    };
    if (!FRAME_PATHS.has(pathname)) headers['X-Frame-Options'] = 'SAMEORIGIN';
    res.writeHead(200, headers);
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    createReadStream(file).pipe(res);
  }
}
