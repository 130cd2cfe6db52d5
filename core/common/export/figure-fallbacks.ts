/**
 * PNG fallbacks of figures: a plotly figure saved with only `text/plain` beside it is a line of
 * text in Jupyter, on GitHub and in nbconvert. An `image/png` drawn from the figure itself goes
 * beside it in the output's bundle (the app keeps drawing the interactive figure: plotly's
 * renderer ranks before images). Each fallback records which figure it was drawn from
 * (`metadata.probebook.pngOf`, a hash of the figure), so an unchanged figure is never drawn again
 * and a saved file's diff stays small; a PNG the output had of its own is never replaced.
 */
import { MIME } from '../mime.ts';
import type { Json, JsonObject, Notebook, Output } from '../notebook/model.ts';

export interface FigureToDraw {
  output: Output;
  /** Hash of the figure, recorded with its fallback. */
  figure: string;
}

function isObject(v: Json | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** JSON with sorted keys, so equal figures hash alike. */
function canonical(value: Json): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (isObject(value))
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(value[k]!)}`)
      .join(',')}}`;
  return JSON.stringify(value);
}

/** FNV-1a (64-bit) of the figure's canonical JSON, as 16 hex digits: enough to notice a change, no crypto needed. */
export function figureHash(figure: Json): string {
  let h = 0xcbf29ce484222325n;
  const text = canonical(figure);
  for (let i = 0; i < text.length; i++) {
    h ^= BigInt(text.charCodeAt(i));
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return h.toString(16).padStart(16, '0');
}

function recordedHash(output: Output): string | null {
  const probebook = output.metadata?.['probebook'];
  return isObject(probebook) && typeof probebook['pngOf'] === 'string' ? probebook['pngOf'] : null;
}

/**
 * Width in CSS pixels of a fallback: the width a figure has in the report page the headless path
 * draws it in (864 px less the report's 2 × 32 px padding), so either path draws the same PNG.
 */
export const FALLBACK_WIDTH = 800;

/** The figures whose fallback is missing or was drawn from another version of the figure. */
export function figuresToDraw(notebook: Pick<Notebook, 'cells'>): FigureToDraw[] {
  const out: FigureToDraw[] = [];
  for (const cell of notebook.cells) {
    if (cell.cellType !== 'code') continue;
    for (const output of cell.outputs) {
      const figure = output.items.find((i) => i.mime === MIME.plotly);
      if (!figure) continue;
      const hash = figureHash(figure.data);
      const png = output.items.some((i) => i.mime === MIME.png);
      const recorded = recordedHash(output);
      // A PNG without our record is the output's own: kept as it is.
      if (png && recorded === null) continue;
      if (png && recorded === hash) continue;
      out.push({ output, figure: hash });
    }
  }
  return out;
}

export interface DrawnFigure {
  /** Base64 PNG (no `data:` prefix). */
  png: string;
  /** Size in CSS pixels, as Jupyter reads `metadata['image/png']`. */
  width: number;
  height: number;
}

/** Puts a drawn PNG into the output's bundle (replacing an older fallback of ours) with its record. */
export function setFallback(target: FigureToDraw, drawn: DrawnFigure): void {
  const { output } = target;
  const item = { mime: MIME.png, data: drawn.png };
  const at = output.items.findIndex((i) => i.mime === MIME.png);
  if (at !== -1) output.items[at] = item;
  else {
    // Where the saved file has it (a bundle's MIME types are written in key order), so the
    // notebook signed before saving is the notebook read back.
    const after = output.items.findIndex((i) => i.mime > MIME.png);
    output.items.splice(after === -1 ? output.items.length : after, 0, item);
  }
  const metadata: JsonObject = { ...(output.metadata ?? {}) };
  metadata[MIME.png] = { width: Math.round(drawn.width), height: Math.round(drawn.height) };
  metadata['probebook'] = { ...(isObject(metadata['probebook']) ? metadata['probebook'] : {}), pngOf: target.figure };
  output.metadata = metadata;
}

/** A fallback the page drew (`save_request.figures`), checked by protocol-validate.ts. */
export interface PageFigure extends DrawnFigure {
  /** The output it belongs to. */
  outputId: string;
  /** {@link figureHash} of the figure the page drew it from: used only to match, never recorded unchecked. */
  figure: string;
}

/**
 * Puts the page's PNGs into the outputs that need one (as {@link setFallback}); a PNG is taken only
 * when the host's own hash of the output's figure (recomputed here, not the page's word) is the one
 * it was drawn from. Returns what still needs drawing.
 */
export function applyPageFigures(notebook: Pick<Notebook, 'cells'>, figures: readonly PageFigure[]): { applied: number; left: FigureToDraw[] } {
  const byOutput = new Map(figures.map((f) => [f.outputId, f]));
  let applied = 0;
  const left: FigureToDraw[] = [];
  for (const t of figuresToDraw(notebook)) {
    const drawn = byOutput.get(t.output.outputId);
    if (drawn && drawn.figure === t.figure) {
      setFallback(t, drawn);
      applied++;
    } else left.push(t);
  }
  return { applied, left };
}
