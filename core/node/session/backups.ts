/**
 * Backups of unsaved edits: about a second after each change, the notebook as it is in memory is
 * written atomically to the user's state folder (0600), so a crash loses at most that second.
 * Saving removes the backup; opening a file whose backup differs from it offers the backup.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseNotebook, serializeNotebook } from '../../common/notebook/ipynb.ts';
import type { Notebook } from '../../common/notebook/model.ts';
import { writeFileAtomic } from '../atomic-write.ts';

export class BackupStore {
  readonly #dir: string;
  readonly #timers = new Map<string, NodeJS.Timeout>();
  #disposed = false;
  readonly #delayMs: number;

  constructor(stateDir: string, delayMs = 1000) {
    this.#dir = join(stateDir, 'backups');
    this.#delayMs = delayMs;
  }

  #file(notebookPath: string): string {
    return join(this.#dir, `${createHash('sha256').update(notebookPath).digest('hex').slice(0, 32)}.ipynb`);
  }

  /** Writes a backup `delayMs` after the last call for this notebook. */
  schedule(notebookPath: string, notebook: () => Notebook): void {
    if (this.#disposed) return; // an edit that arrives while the host shuts down (a run's environment)
    clearTimeout(this.#timers.get(notebookPath));
    const timer = setTimeout(() => {
      this.#timers.delete(notebookPath);
      const failed = (error: unknown) => process.stderr.write(`probebook: could not back up unsaved edits of ${notebookPath}: ${(error as Error).message}\n`);
      try {
        // `notebook()` may write too (it records a trusted notebook's signature): a failure is reported, never thrown from a timer.
        void this.writeNow(notebookPath, notebook()).catch(failed);
      } catch (error) {
        failed(error);
      }
    }, this.#delayMs);
    timer.unref();
    this.#timers.set(notebookPath, timer);
  }

  async writeNow(notebookPath: string, notebook: Notebook): Promise<void> {
    await mkdir(this.#dir, { recursive: true, mode: 0o700 });
    await writeFileAtomic(this.#file(notebookPath), serializeNotebook(structuredClone(notebook)), { mode: 0o600 });
  }

  /** The backup of a notebook, if one exists and can be read. */
  async read(notebookPath: string): Promise<{ notebook: Notebook; savedAt: number } | undefined> {
    const file = this.#file(notebookPath);
    try {
      const [text, info] = await Promise.all([readFile(file, 'utf8'), stat(file)]);
      return { notebook: parseNotebook(text, file), savedAt: info.mtimeMs };
    } catch {
      return undefined;
    }
  }

  /** Forgets a notebook's backup (after a save, or when the user declines it). */
  async discard(notebookPath: string): Promise<void> {
    clearTimeout(this.#timers.get(notebookPath));
    this.#timers.delete(notebookPath);
    await rm(this.#file(notebookPath), { force: true });
  }

  dispose(): void {
    this.#disposed = true;
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
  }
}
