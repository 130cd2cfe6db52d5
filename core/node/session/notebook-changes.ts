/**
 * What follows a change of an open notebook: its version and dirty state, the backup of unsaved
 * edits, its trust (own edits keep it, code from elsewhere is checked) and the state its pages show.
 */
import type { NotebookEdit } from '../../common/protocol.ts';
import type { BackupStore } from './backups.ts';
import { titleOf, type OpenNotebook } from './open-notebooks.ts';
import type { ServedRoot } from './served-root.ts';
import type { TrustStore } from './trust.ts';

export class NotebookChanges {
  readonly #root: ServedRoot;
  readonly #trust: TrustStore;
  readonly #backups: BackupStore;

  constructor(root: ServedRoot, trust: TrustStore, backups: BackupStore) {
    this.#root = root;
    this.#trust = trust;
    this.#backups = backups;
  }

  /** Edits applied to `nb`, sent to each of its pages with `origin`, the request that made them. */
  edited(nb: OpenNotebook, edits: NotebookEdit[], origin: string): void {
    nb.version++;
    const wasTrusted = nb.trusted;
    this.touch(nb);
    for (const edit of edits) {
      if (edit.kind === 'clear_outputs') nb.cellStates[edit.cellId] = { status: 'idle', executionCount: null };
    }
    // Edits typed in our own windows are the user's code: a trusted notebook stays trusted (as
    // Jupyter signs what the user saved). Code that arrives any other way (a file changed on disk,
    // another person's notebook) is checked against the signatures and asks first (docs/security.md).
    if (wasTrusted) nb.unsigned = true;
    else nb.trusted = this.#trust.isTrusted(nb.notebook);
    for (const viewer of nb.viewers) viewer.send({ type: 'notebook_changed', notebookId: nb.id, version: nb.version, edits, origin });
    if (wasTrusted !== nb.trusted) this.broadcastState(nb);
  }

  /** Marks unsaved changes and schedules a backup. */
  touch(nb: OpenNotebook): void {
    const wasDirty = nb.dirty;
    nb.dirty = true;
    if (nb.path) {
      this.#backups.schedule(nb.path, () => {
        this.sign(nb); // a restored backup is as trusted as the edits it keeps
        return nb.notebook;
      });
    }
    if (!wasDirty) this.broadcastState(nb);
  }

  /** The user trusts `nb` as it is now (after reviewing its root cells). */
  trust(nb: OpenNotebook): void {
    this.#trust.trust(nb.notebook);
    nb.trusted = true;
    nb.unsigned = false;
    this.broadcastState(nb);
  }

  broadcastState(nb: OpenNotebook): void {
    for (const viewer of nb.viewers) {
      viewer.send({
        type: 'notebook_state',
        notebookId: nb.id,
        dirty: nb.dirty,
        path: nb.path && this.#root.display(nb.path),
        title: titleOf(nb),
        readOnly: nb.readOnly,
        trusted: nb.trusted,
      });
    }
  }

  /** Records the signature of a trusted notebook as it is now, if not recorded yet. */
  sign(nb: OpenNotebook): void {
    if (!nb.trusted || !nb.unsigned) return;
    this.#trust.trust(nb.notebook);
    nb.unsigned = false;
  }
}
