/**
 * The notebooks open in a session, by id and by file: each one's document, the pages viewing it,
 * its cells' run states, its trust and its runner.
 */
import { randomUUID } from 'node:crypto';
import { basename } from 'node:path';
import type { Notebook } from '../../common/notebook/model.ts';
import type { CellRunState, HostMessage } from '../../common/protocol.ts';
import type { FileFingerprint } from '../notebook-file.ts';
import type { NotebookRunner } from '../run/notebook-runner.ts';
import { HostError } from './host-error.ts';
import type { TrustStore } from './trust.ts';

/** One UI's link to the host, whatever carries it. */
export interface Connection {
  send(message: HostMessage): void;
  onMessage(listener: (raw: unknown) => void): void;
  onClose(listener: () => void): void;
}

export interface OpenNotebook {
  id: string;
  path: string | null;
  notebook: Notebook;
  fingerprint?: FileFingerprint;
  version: number;
  dirty: boolean;
  readOnly: boolean;
  readOnlyReason?: string;
  trusted: boolean;
  /**
   * Trusted, and changed here since its signature was last recorded: own edits and outputs keep a
   * notebook trusted, and the signature of what it is now is written when it leaves memory (a save,
   * a backup, the host's end), not on every edit — signing reads the notebook whole.
   */
  unsigned?: boolean;
  cellStates: Record<string, CellRunState>;
  runner?: NotebookRunner;
  viewers: Set<Connection>;
  backup?: { notebook: Notebook; savedAt: number };
  key: string;
}

export class OpenNotebooks {
  readonly #trust: TrustStore;
  readonly #notebooks = new Map<string, OpenNotebook>();
  readonly #byPath = new Map<string, string>();

  constructor(trust: TrustStore) {
    this.#trust = trust;
  }

  /** Every open notebook. */
  all(): OpenNotebook[] {
    return [...this.#notebooks.values()];
  }

  /** The notebook open from the file `path` (absolute), if one is. */
  at(path: string): OpenNotebook | undefined {
    const id = this.#byPath.get(path);
    return id === undefined ? undefined : this.#notebooks.get(id);
  }

  get(notebookId: string): OpenNotebook {
    const nb = this.#notebooks.get(notebookId);
    if (!nb) throw new HostError('not_found', 'That notebook is not open (the server may have restarted): open it again.');
    return nb;
  }

  register(path: string | null, notebook: Notebook, fingerprint?: FileFingerprint): OpenNotebook {
    const nb: OpenNotebook = {
      id: randomUUID(),
      path,
      notebook,
      fingerprint,
      version: 0,
      dirty: false,
      readOnly: false,
      trusted: this.#trust.isTrusted(notebook),
      cellStates: {},
      viewers: new Set(),
      key: randomUUID(),
    };
    this.#notebooks.set(nb.id, nb);
    if (path) this.#byPath.set(path, nb.id);
    return nb;
  }

  /** The notebook's file is `path` now (it was saved under another name). */
  moveTo(nb: OpenNotebook, path: string): void {
    if (nb.path === path) return;
    if (nb.path) this.#byPath.delete(nb.path);
    nb.path = path;
    this.#byPath.set(path, nb.id);
  }

  /** A page went away: it views nothing any more. */
  dropViewer(connection: Connection): void {
    for (const nb of this.#notebooks.values()) nb.viewers.delete(connection);
  }

  /** Drops a notebook nobody views, that runs nothing and has nothing unsaved. */
  maybeForget(nb: OpenNotebook): void {
    if (nb.viewers.size > 0 || nb.dirty || nb.runner?.busy) return;
    this.#notebooks.delete(nb.id);
    if (nb.path) this.#byPath.delete(nb.path);
  }
}

/** The name pages show for a notebook: its file's, or Untitled before its first save. */
export function titleOf(nb: OpenNotebook): string {
  return nb.path ? basename(nb.path) : 'Untitled.ipynb';
}
