/**
 * The invoking user's own directories for Probebook's small state files (audit log, cleanup
 * ledger, trust database). Always the unprivileged user's, never root's: root writes nothing into
 * a user's home (the team's SECURITY.md), so these are opened by the unprivileged side only.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { writeFileAtomicSync } from './atomic-write.ts';

/** `$XDG_STATE_HOME/probebook` (default `~/.local/state/probebook`), created 0700 on demand. */
export function userStateDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_STATE_HOME && isAbsolute(env.XDG_STATE_HOME) ? env.XDG_STATE_HOME : join(env.HOME || homedir(), '.local', 'state');
  const dir = join(base, 'probebook');
  // 0700: the ledger names notebooks and the trust secret lives here; other users read nothing.
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}

/** Writes a small private state file (0600) atomically (atomic-write.ts): a crash leaves the old or the new content. */
export function writePrivateFile(path: string, content: string): void {
  writeFileAtomicSync(path, content, { mode: 0o600 });
}

/** Reads a JSON state file; `fallback` when it does not exist. A corrupt file is an error that names it. */
export function readJsonFile<T>(path: string, fallback: T): T {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return fallback;
    throw error;
  }
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new Error(`${path} is not valid JSON (${(error as Error).message}); move it away and Probebook starts a new one.`);
  }
}
