/**
 * Constructors for outputs and ids, so every producer (kernels, runner, TypeScript API) makes them
 * the same way: streams and errors as MIME items, rich items always with a `text/plain` fallback.
 */
import { MIME, type CellErrorData } from '../mime.ts';
import type { Json, Output, OutputItem } from './model.ts';

let counter = 0;

/** A session-unique output id (not saved in files). */
export function newOutputId(): string {
  counter = (counter + 1) % Number.MAX_SAFE_INTEGER;
  return `o${Date.now().toString(36)}${counter.toString(36)}`;
}

/** A valid nbformat 4.5 cell id (8 hex digits, like Jupyter's; unique, not secret). */
export function newCellId(): string {
  return Math.floor(Math.random() * 0x100000000)
    .toString(16)
    .padStart(8, '0');
}

export function streamOutput(name: 'stdout' | 'stderr', text: string, time?: number): Output {
  return { outputId: newOutputId(), kind: 'stream', items: [{ mime: name === 'stdout' ? MIME.stdout : MIME.stderr, data: text }], time };
}

export function errorOutput(error: CellErrorData, time?: number): Output {
  return { outputId: newOutputId(), kind: 'error', items: [{ mime: MIME.error, data: error as unknown as Json }], time };
}

/**
 * A display output. Items without `text/plain` get one (a JSON rendering of the first item), so
 * the saved notebook reads well in Jupyter and on GitHub.
 */
export function displayOutput(items: OutputItem[], options: { displayId?: string; time?: number; metadata?: Record<string, Json> } = {}): Output {
  const withPlain = items.some((i) => i.mime === MIME.plain) ? items : [...items, { mime: MIME.plain, data: plainFallback(items) }];
  return {
    outputId: newOutputId(),
    kind: 'display_data',
    items: withPlain,
    metadata: options.metadata ?? {},
    displayId: options.displayId,
    time: options.time,
  };
}

function plainFallback(items: OutputItem[]): string {
  const first = items[0];
  if (!first) return '';
  if (typeof first.data === 'string') return first.mime.startsWith('image/') ? `<${first.mime} image>` : first.data;
  const text = JSON.stringify(first.data, null, 1);
  return text.length > 4000 ? `${text.slice(0, 4000)}…` : text;
}
