/**
 * When a notebook becomes trusted: the first run of an untrusted notebook shows its root cells
 * and parameters and asks (trust-dialog.ts); a change the user typed here, which the host
 * untrusts like any other, is trusted again without asking (it is the user's own code).
 */
import { trustReview } from '../../core/common/notebook/trust-review.ts';
import type { NotebookDocument } from '../notebook/notebook-document.ts';
import type { App } from './app.ts';
import { toast } from './dialog.ts';
import { askToTrust } from './trust-dialog.ts';

export class TrustFlow {
  /** The host untrusted the notebook after a change made in this window (the user's own code). */
  private ownChangeUntrusted = false;

  constructor(private readonly app: App) {}

  /** A notebook was shown: what was said of the previous one no longer holds. */
  reset(): void {
    this.ownChangeUntrusted = false;
  }

  /** The first run of an untrusted notebook shows its root cells and asks (docs/security.md). */
  async ensureTrusted(): Promise<boolean> {
    const { doc, welcome } = this.app;
    if (!doc || doc.trusted || welcome?.runAs === 'user') return true;
    if (this.ownChangeUntrusted) {
      await this.retrust(doc);
      return doc.trusted;
    }
    // Built here, by the host's own function, from the notebook as edited (not as it was opened).
    const review = trustReview(doc.notebook);
    if ((review.cells.length > 0 || review.parameters.length > 0) && !(await askToTrust(doc.title, welcome?.runAs ?? 'root', review))) return false;
    await this.app.connection.request({ type: 'trust_request', notebookId: doc.id });
    doc.trusted = true;
    this.app.refreshChrome();
    return true;
  }

  /** The host untrusted the notebook after a change typed in this window: trust it again. */
  ownChangeWasUntrusted(doc: NotebookDocument): void {
    this.ownChangeUntrusted = true;
    void this.retrust(doc);
  }

  /** Trusts without asking: a notebook this user wrote here (a new one, or their own edit). */
  async retrust(doc: NotebookDocument): Promise<void> {
    try {
      await this.app.connection.request({ type: 'trust_request', notebookId: doc.id });
      if (this.app.doc === doc) {
        doc.trusted = true;
        this.ownChangeUntrusted = false;
        this.app.refreshChrome();
      }
    } catch (error) {
      toast(`The notebook could not be kept trusted after your edit: ${(error as Error).message}`, 'error');
    }
  }
}
