/**
 * Which notebooks to open, from a command line (`probebook open a.ipynb b.ipynb`, or a file
 * manager's "Open with") or from a second instance handing its files to the running app.
 */
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isNotebookPath, pathProblem } from './notebook-paths.ts';

/** Most files one launch may open at once (a window each). */
export const MAX_LAUNCH_FILES = 32;

export interface LaunchFiles {
  /** Absolute paths of the notebooks to open, in order, without duplicates. */
  files: string[];
  /** Arguments that were not opened, each with the reason, for the terminal. */
  problems: string[];
}

/**
 * The arguments after Electron's own: in a packaged app `argv[0]` is the app; in development
 * `argv` is `electron [chromium switches] main.js …`, so everything up to the main script goes.
 */
export function userArgs(argv: readonly string[], options: { isPackaged: boolean; mainScript: string }): string[] {
  if (options.isPackaged) return argv.slice(1);
  const script = resolve(options.mainScript);
  const at = argv.findIndex((a, i) => i > 0 && !a.startsWith('-') && resolve(a) === script);
  return argv.slice(at === -1 ? 2 : at + 1);
}

/**
 * The notebooks named by `args`, resolved against `cwd`; `file://` URLs (a desktop entry's `%U`)
 * become paths. Switches (`--enable-logging`, anything Chromium adds) are skipped until `--`;
 * after it every argument is a file.
 */
export function launchFiles(args: readonly string[], cwd: string): LaunchFiles {
  const files: string[] = [];
  const problems: string[] = [];
  let switchesEnded = false;
  for (const arg of args) {
    if (!switchesEnded && arg === '--') {
      switchesEnded = true;
      continue;
    }
    if (!switchesEnded && arg.startsWith('-')) continue;
    let path: string;
    try {
      path = arg.startsWith('file:') ? fileURLToPath(arg) : resolve(cwd, arg);
    } catch {
      problems.push(`${arg}: not a local file URL`);
      continue;
    }
    if (!isNotebookPath(path)) {
      problems.push(`${arg}: not a notebook (Probebook opens .ipynb files)`);
      continue;
    }
    if (files.includes(path)) continue;
    if (files.length === MAX_LAUNCH_FILES) {
      problems.push(`${arg}: not opened, at most ${MAX_LAUNCH_FILES} notebooks open at once`);
      continue;
    }
    files.push(path);
  }
  return { files, problems };
}

/** What a second instance sends the running app (`requestSingleInstanceLock(data)`). */
export interface SecondInstanceData {
  files: string[];
}

/**
 * The second instance's notebooks, from its `additionalData`, or null when that is malformed
 * (then the caller falls back to parsing its argv).
 */
export function parseSecondInstanceData(data: unknown): SecondInstanceData | null {
  if (typeof data !== 'object' || data === null) return null;
  const files = (data as { files?: unknown }).files;
  if (!Array.isArray(files) || files.length > MAX_LAUNCH_FILES) return null;
  const ok = files.every((f): f is string => pathProblem(f) === null && isAbsolute(f as string) && isNotebookPath(f as string));
  return ok ? { files: [...new Set(files as string[])] } : null;
}
