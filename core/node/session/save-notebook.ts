import { applyPageFigures } from '../../common/export/figure-fallbacks.ts';
import type { ClientMessage } from '../../common/protocol.ts';
import { addFallbacksBeforeSave } from '../export/figure-fallbacks.ts';
import { ChangedOnDiskError, MalformedTargetError, writeNotebookFile } from '../notebook-file.ts';
import type { BackupStore } from './backups.ts';
import { HostError } from './host-error.ts';
import type { NotebookChanges } from './notebook-changes.ts';
import { titleOf, type Connection, type OpenNotebook, type OpenNotebooks } from './open-notebooks.ts';
import type { ServedRoot } from './served-root.ts';

export interface SaveContext {
  root: ServedRoot;
  notebooks: OpenNotebooks;
  backups: BackupStore;
  changes: NotebookChanges;
}

/**
 * Saves `nb` to its file, or (Save As) to `m.path`: refused when the file changed on disk since it
 * was read (unless `force`), or when another open notebook has that file; `saved` answers `conn`.
 */
export async function saveNotebook(
  { root, notebooks, backups, changes }: SaveContext,
  conn: Connection,
  nb: OpenNotebook,
  m: Extract<ClientMessage, { type: 'save_request' }>,
): Promise<void> {
  const target = m.path ? await root.resolve(m.path) : nb.path;
  if (!target) throw new HostError('not_found', 'This notebook has no file yet: choose where to save it (Save As).');
  if (!target.endsWith('.ipynb')) throw new HostError('forbidden', `${root.display(target)}: notebooks are saved as .ipynb files.`);
  if (nb.readOnly && target === nb.path) throw new HostError('read_only', `${titleOf(nb)} is read-only: save it under another name.`);
  const other = notebooks.at(target);
  if (other && other !== nb) throw new HostError('conflict', `${root.display(target)} is open in another tab; close it first.`);
  // Figures get their PNG fallbacks (docs/export.md): new outputs, so a trusted notebook is signed again with this save.
  // The page's PNGs first (drawn by its own plotly, matched by the host's hash of each figure);
  // headless Chromium only for a figure the page did not send.
  const fromPage = m.figures?.length ? applyPageFigures(nb.notebook, m.figures).applied : 0;
  const drawnHere = await addFallbacksBeforeSave(nb.notebook, (line) => process.stderr.write(`probebook: ${line}\n`));
  if (fromPage || drawnHere) nb.unsigned ||= nb.trusted;
  let originalKept: string | undefined;
  try {
    nb.fingerprint = await writeNotebookFile(target, nb.notebook, {
      expected: target === nb.path ? nb.fingerprint : undefined,
      force: m.force,
      originalKept: (kept) => {
        originalKept = root.display(kept);
      },
      upgradedPath: nb.path ?? undefined,
    });
  } catch (error) {
    if (error instanceof ChangedOnDiskError)
      throw new HostError(
        'changed_on_disk',
        `${root.display(target)} changed on disk since it was opened. Save anyway to overwrite those changes, or Save As another file.`,
      );
    if (error instanceof MalformedTargetError) throw new HostError('read_only', error.message);
    throw error;
  }
  notebooks.moveTo(nb, target);
  nb.dirty = false;
  nb.readOnly = false;
  await backups.discard(target);
  // Saving never trusts (docs/security.md): only a trusted notebook's own edits are signed as saved.
  changes.sign(nb);
  conn.send({
    type: 'saved',
    requestId: m.requestId,
    notebookId: nb.id,
    path: root.display(target),
    version: nb.version,
    ...(originalKept ? { originalKept } : {}),
  });
  changes.broadcastState(nb);
}
