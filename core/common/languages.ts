/** The languages a Probebook code cell can be written in. */
export const CELL_LANGUAGES = ['shell', 'bpftrace', 'typescript'] as const;

/** A code cell's language, as stored in `metadata.probebook.language`. */
export type CellLanguage = (typeof CELL_LANGUAGES)[number];

/** The language a notebook uses when neither the cell nor the notebook names one. */
export const DEFAULT_LANGUAGE: CellLanguage = 'shell';

/** Whether `value` names a cell language. */
export function isCellLanguage(value: unknown): value is CellLanguage {
  return typeof value === 'string' && (CELL_LANGUAGES as readonly string[]).includes(value);
}
