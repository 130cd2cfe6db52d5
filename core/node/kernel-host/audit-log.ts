/**
 * The audit log of elevated executions: one JSON line per cell run (time, notebook, cell, SHA-256
 * of the code, who it ran as, exit status, duration) in `$XDG_STATE_HOME/probebook/audit.jsonl`.
 *
 * Written by the unprivileged side (the kernel host client) from the kernel host's `kernel_audit`
 * messages, so the file is the user's own and root creates nothing in the user's home.
 */
import { appendFileSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { AuditRecord } from '../../common/protocol.ts';
import { userStateDir } from '../state-dir.ts';

/** Hex SHA-256 of a cell's code, as the audit log records it. */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export class AuditLog {
  readonly path: string;

  constructor(path: string = join(userStateDir(), 'audit.jsonl')) {
    this.path = path;
  }

  /** Appends one record; 0600 so other users do not learn which notebooks ran. */
  append(record: AuditRecord): void {
    appendFileSync(this.path, `${JSON.stringify(record)}\n`, { mode: 0o600 });
  }

  /** Every record, oldest first (for tests and a future audit view). */
  read(): AuditRecord[] {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    return text
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as AuditRecord);
  }
}
