/**
 * Other tools' per-cell language metadata, read so notebooks written there run here: VS Code's
 * `metadata.vscode.languageId` (`shellscript`, `typescript`, `bpftrace`), Polyglot Notebooks'
 * `metadata.polyglot_notebook.kernelName` and .NET Interactive's `metadata.dotnet_interactive.language`.
 * A cell such metadata puts in a language Probebook does not run (`csharp`, `python`) is refused
 * by name rather than run as shell.
 */
import type { CellLanguage } from '../languages.ts';
import type { Cell, Json, JsonObject } from './model.ts';

/** Where other tools keep a cell's language: the metadata path and the key. */
const SOURCES: { tool: string; key: string; field: string }[] = [
  { tool: 'VS Code', key: 'vscode', field: 'languageId' },
  { tool: 'Polyglot Notebooks', key: 'polyglot_notebook', field: 'kernelName' },
  { tool: '.NET Interactive', key: 'dotnet_interactive', field: 'language' },
];

/** Other tools' language names for ours (lower case). */
const OURS: Record<string, CellLanguage> = {
  shellscript: 'shell',
  shell: 'shell',
  bash: 'shell',
  sh: 'shell',
  typescript: 'typescript',
  ts: 'typescript',
  bpftrace: 'bpftrace',
};

export interface ForeignLanguage {
  /** The language as the tool named it, e.g. `shellscript`, `csharp`. */
  name: string;
  /** Where it was read, e.g. `metadata.vscode.languageId`. */
  path: string;
  tool: string;
  /** Ours when Probebook runs it, undefined when it does not. */
  language?: CellLanguage;
}

const isObject = (v: Json | undefined): v is JsonObject => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The language another tool's metadata gives the cell, the first of {@link SOURCES} that names one. */
export function foreignCellLanguage(cell: Cell): ForeignLanguage | undefined {
  for (const { tool, key, field } of SOURCES) {
    const holder = cell.metadata[key];
    const name = isObject(holder) ? holder[field] : undefined;
    if (typeof name !== 'string' || name.trim() === '') continue;
    return { name: name.slice(0, 64), path: `metadata.${key}.${field}`, tool, language: OURS[name.trim().toLowerCase()] };
  }
  return undefined;
}
