/**
 * The in-memory notebook: nbformat 4 cells with typed access to what Probebook uses, and every
 * field it does not know kept as it was read, so a file that round-trips unchanged diffs clean.
 *
 * The codec (`ipynb.ts`) turns files into this model and back; everything else (kernels, runner,
 * session host, UI) works on this model only.
 */
import type { CellLanguage } from '../languages.ts';

/** A JSON value as read from a file. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** One item of an output: a MIME type and its data (string for text types, JSON otherwise). */
export interface OutputItem {
  mime: string;
  data: Json;
}

/** nbformat's output kinds; streams, errors and rich data all become {@link OutputItem}s. */
export type OutputKind = 'stream' | 'display_data' | 'execute_result' | 'error';

/**
 * One output of a cell. `items` carries the payload as MIME items: a stream is one
 * `MIME.stdout`/`MIME.stderr` item, an error one `MIME.error` item, display data one item per
 * MIME type of its bundle (in the bundle's order).
 */
export interface Output {
  /** Stable id for edits (`append`, `replace`) during a session; not saved in the file. */
  outputId: string;
  kind: OutputKind;
  items: OutputItem[];
  /** nbformat output metadata (display_data / execute_result), kept as read. */
  metadata?: JsonObject;
  /** execute_result's execution_count. */
  executionCount?: number | null;
  /** display_data's `transient.display_id` (not saved by Jupyter; kept in memory only). */
  displayId?: string;
  /** When the output arrived (epoch ms); saved in the cell's `metadata.probebook.outputTimes`. */
  time?: number;
  /** Set when a stream was cut to the save limit: how much was left out. */
  truncated?: { bytes: number; lines: number };
  /** Fields of the nbformat output that the model does not know, kept for round-trips. */
  extra?: JsonObject;
}

/** Probebook's options for one cell, from `metadata.probebook`. */
export interface CellOptions {
  language?: CellLanguage;
  /** A name other cells and the runner use (`cell("measure")`). */
  name?: string;
  /** Run All starts it and goes on; it is interrupted when the run ends. */
  background?: boolean;
  /** Interrupt after this long, as written: "10s", "2m", "500ms", "1h30m". */
  timeout?: string;
  /** Runs when the notebook's run ends, fails or is interrupted (issue 5). */
  cleanup?: boolean;
  /** Run as the invoking user instead of root (issue 5). */
  user?: boolean;
  /** bpftrace: parameter names passed as $1, $2, … (default: every notebook parameter, in order). */
  args?: string[];
  /** bpftrace: pass `--unsafe` (needed for system(), signal(), override()). */
  unsafe?: boolean;
  /** Bytes of each stream kept in the saved file (default: the runner's limit). */
  outputLimit?: number;
  /** When a background cell is ready: Run All starts the next cell only then (docs/notebook-files.md). */
  ready?: ReadyOptions;
}

/**
 * `metadata.probebook.ready`, checked: what makes a cell ready (every condition given must hold)
 * and how long Run All waits for it.
 */
export interface ReadyOptions {
  /** A JavaScript regular expression (source) matched against each line the cell prints, stdout or stderr. */
  output?: string;
  /** A socket one of the cell's own processes bound: TCP listening, or UDP bound, in its network namespace. */
  port?: ReadyPort;
  /** An absolute path that exists (checked as the cell's user, existence only). */
  file?: string;
  /** How long Run All waits, as written ("30s" when not given). */
  timeout: string;
}

export interface ReadyPort {
  protocol: 'tcp' | 'udp';
  port: number;
}

export type CellType = 'code' | 'markdown' | 'raw';

export interface Cell {
  id: string;
  cellType: CellType;
  /** The cell's text, always one string in memory (nbformat may store a list of lines). */
  source: string;
  /** The whole cell metadata as read, `probebook` included; {@link CellOptions} is a view of it. */
  metadata: JsonObject;
  /** Code cells only. */
  outputs: Output[];
  /** Code cells only. */
  executionCount: number | null;
  /** markdown/raw cells' attachments, kept as read. */
  attachments?: JsonObject;
  /** Fields of the nbformat cell that the model does not know, kept for round-trips. */
  extra?: JsonObject;
}

/** Notebook-level options, from notebook `metadata.probebook`. */
export interface NotebookOptions {
  /** Language of code cells that name none (default `shell`). */
  language?: CellLanguage;
  /** Parameters with their default values; `--param NAME=VALUE` overrides them. */
  parameters?: Record<string, string | number | boolean>;
}

export interface Notebook {
  nbformat: 4;
  /** The minor version the file was read with; files are written as 4.5. */
  nbformatMinor: number;
  metadata: JsonObject;
  cells: Cell[];
  /** Top-level fields the model does not know, kept for round-trips. */
  extra?: JsonObject;
}
