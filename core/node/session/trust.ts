/**
 * Local notebook trust, as Jupyter does it: an HMAC-SHA256 of the notebook's cells with a per-user
 * secret (0600), recorded in a signature database outside the file. A notebook is trusted when its
 * current signature is in the database. Nothing inside a file (a `trusted` flag, a `signature`
 * field) is ever read.
 *
 * Signed: everything that decides what runs. Each cell's type, source, `metadata.probebook`
 * (language, `user`, `unsafe`, `cleanup`, `args` decide what runs and how) and the language it
 * resolves to; the notebook's `metadata.probebook` (parameters become env and `$1`…); the
 * kernelspec and language_info fields that choose a cell's language when nothing else does; and
 * each code cell's outputs (kind and MIME items: trusted outputs may use unsafe renderers, so an
 * injected `text/html` output must break the signature). Not signed: cell ids, attachments, cell
 * timing, the run's recorded environment and other tools' metadata, which neither run nor render
 * unsafely.
 *
 * Trust changes only by the user's decision after the trust question (or the user's own edits of
 * a trusted notebook); outputs of a run that began trusted are trusted. Saving never trusts.
 *
 * @example
 * ```ts
 * const store = new TrustStore();
 * if (!store.isTrusted(nb)) show(store.rootCellsNeedingApproval(nb)); // ask before elevating
 * store.trust(nb); // the user approved, or a run here produced the outputs
 * ```
 */
import { chmodSync, closeSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { createHmac, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { CellLanguage } from '../../common/languages.ts';
import { kernelspecFields, resolveCell } from '../../common/notebook/cell-options.ts';
import type { Cell, Json, JsonObject, Notebook } from '../../common/notebook/model.ts';
import { trustReview } from '../../common/notebook/trust-review.ts';
import { readJsonFile, userStateDir, writePrivateFile } from '../state-dir.ts';

/** A root cell to show, with its exact code, before a notebook's first elevated run. */
export interface RootCellForApproval {
  cellId: string;
  /** 0-based position among all cells, so the dialog can say "cell 3". */
  index: number;
  /** As it will run (resolveCell); null when its options are malformed and it will not run. */
  language: CellLanguage | null;
  source: string;
}

interface SignatureDb {
  version: 1;
  /** Hex HMAC → last time it was trusted or checked (epoch ms). */
  signatures: Record<string, number>;
}

/** Signatures kept; the least recently used go first (Jupyter keeps 65535). */
const MAX_SIGNATURES = 20_000;

export class TrustStore {
  readonly dir: string;
  readonly #secretPath: string;
  readonly #dbPath: string;
  #secret: Buffer | undefined;
  /** The database as last read, by the file's inode, size and mtime: read again only when it changed. */
  #db: { version: string; db: SignatureDb } | undefined;

  constructor(dir: string = userStateDir()) {
    this.dir = dir;
    this.#secretPath = join(dir, 'trust-secret');
    this.#dbPath = join(dir, 'trust-signatures.json');
  }

  /** Hex HMAC-SHA256 of what the notebook runs and renders. */
  signature(notebook: Notebook): string {
    return createHmac('sha256', this.#key())
      .update(canonicalJson(signedContent(notebook)))
      .digest('hex');
  }

  /** Whether this exact notebook was trusted here (by the user, or by running it here). */
  isTrusted(notebook: Notebook): boolean {
    return this.signature(notebook) in this.#readDb().signatures;
  }

  /** Records the notebook as trusted in its current form. */
  trust(notebook: Notebook): void {
    const sig = this.signature(notebook);
    const db = this.#readDb();
    db.signatures[sig] = Date.now();
    const entries = Object.entries(db.signatures);
    if (entries.length > MAX_SIGNATURES) {
      entries.sort((a, b) => b[1] - a[1]);
      db.signatures = Object.fromEntries(entries.slice(0, MAX_SIGNATURES));
    }
    try {
      writePrivateFile(this.#dbPath, JSON.stringify(db));
    } catch (error) {
      this.#db = undefined; // the copy in memory has a signature the file has not
      throw error;
    }
  }

  /**
   * The root cells (code cells not marked `metadata.probebook.user: true`) of an untrusted
   * notebook, with their exact code; empty when the notebook is trusted.
   */
  rootCellsNeedingApproval(notebook: Notebook): RootCellForApproval[] {
    if (this.isTrusted(notebook)) return [];
    return rootCells(notebook);
  }

  #readDb(): SignatureDb {
    let version = 'none';
    try {
      const info = statSync(this.#dbPath);
      version = `${info.ino}:${info.size}:${info.mtime.getTime()}`; // written by rename: a new inode each time
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    if (this.#db?.version === version) return this.#db.db;
    const db = readJsonFile<SignatureDb>(this.#dbPath, { version: 1, signatures: {} });
    if (db?.version !== 1 || typeof db.signatures !== 'object' || db.signatures === null) {
      throw new Error(`${this.#dbPath} is not a Probebook trust database; move it away and re-trust your notebooks.`);
    }
    this.#db = { version, db };
    return db;
  }

  #key(): Buffer {
    if (this.#secret) return this.#secret;
    try {
      // 'wx': two processes starting at once must not each write a different secret.
      const fd = openSync(this.#secretPath, 'wx', 0o600);
      try {
        writeSync(fd, `${randomBytes(32).toString('base64')}\n`);
      } finally {
        closeSync(fd);
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const mode = statSync(this.#secretPath).mode & 0o777;
    // A secret others can read lets them forge trust: tighten it (it is ours, in our 0700 dir).
    if (mode !== 0o600) chmodSync(this.#secretPath, 0o600);
    const secret = Buffer.from(readFileSync(this.#secretPath, 'utf8').trim(), 'base64');
    if (secret.length < 32) throw new Error(`${this.#secretPath} holds no usable secret; delete it and re-trust your notebooks.`);
    this.#secret = secret;
    return secret;
  }
}

/** Code cells that run as root, with their language as it will run, in notebook order. */
export function rootCells(notebook: Notebook): RootCellForApproval[] {
  return trustReview(notebook)
    .cells.filter((c) => c.runAs === 'root')
    .map(({ cellId, index, language, source }) => ({ cellId, index, language, source }));
}

function probebookOf(metadata: JsonObject): JsonObject | undefined {
  const value = metadata.probebook;
  return value && typeof value === 'object' && !Array.isArray(value) ? value : undefined;
}

/**
 * A cell's `metadata.probebook` without `outputTimes`: that is timing, written from the outputs'
 * times when the file is saved, so a notebook trusted after a run (times on its outputs) and the
 * same notebook read back from its file (times in its metadata too) sign alike.
 */
function signedCellOptions(metadata: JsonObject): Json {
  const options = probebookOf(metadata);
  if (!options) return null;
  const { outputTimes: _timing, ...rest } = options;
  return Object.keys(rest).length > 0 ? rest : null;
}

/**
 * The notebook's `metadata.probebook` without `environment` (what the last run was measured on,
 * written after each run) and `recordHostname` (whether to write the hostname there): neither
 * runs nor renders, so recording a run's environment keeps a trusted notebook trusted.
 */
function signedNotebookOptions(metadata: JsonObject): Json {
  const options = probebookOf(metadata);
  if (!options) return null;
  const { environment: _env, recordHostname: _host, ...rest } = options;
  // Empty signs as absent: a notebook with no options and the same one after a run (an environment only) sign alike.
  return Object.keys(rest).length > 0 ? rest : null;
}

/** The language a cell runs as, as the runner resolves it; null when its options are malformed. */
function languageOf(cell: Cell, notebook: Notebook): CellLanguage | null {
  if (cell.cellType !== 'code') return null;
  try {
    return resolveCell(cell, notebook).language;
  } catch {
    return null; // the runner refuses to run it
  }
}

function signedContent(notebook: Notebook): Json {
  return {
    // 2: languages and the kernelspec fields that choose them are signed (version 1 signatures no longer match).
    v: 2,
    probebook: signedNotebookOptions(notebook.metadata),
    kernelspec: kernelspecFields(notebook.metadata),
    cells: notebook.cells.map((cell) => ({
      type: cell.cellType,
      source: cell.source,
      probebook: signedCellOptions(cell.metadata),
      language: languageOf(cell, notebook),
      outputs: cell.cellType === 'code' ? cell.outputs.map((o) => ({ kind: o.kind, items: o.items.map((i) => ({ mime: i.mime, data: i.data })) })) : [],
    })),
  };
}

/**
 * JSON with object keys sorted, so equal content always hashes the same. Built into one string
 * (not joined from a string per value): it is signed on every open and on edits to untrusted
 * notebooks, and a 500-cell notebook with outputs is half a megabyte.
 */
export function canonicalJson(value: Json): string {
  let out = '';
  const write = (v: Json): void => {
    if (v === null || typeof v !== 'object') {
      out += JSON.stringify(v);
    } else if (Array.isArray(v)) {
      out += '[';
      for (let i = 0; i < v.length; i++) {
        if (i > 0) out += ',';
        write(v[i]!);
      }
      out += ']';
    } else {
      const keys = Object.keys(v).sort();
      out += '{';
      for (let i = 0; i < keys.length; i++) {
        if (i > 0) out += ',';
        out += `${JSON.stringify(keys[i])}:`;
        write(v[keys[i]!]!);
      }
      out += '}';
    }
  };
  write(value);
  return out;
}
