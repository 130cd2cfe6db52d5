/**
 * PNG fallbacks of the notebook's figures, drawn by the page for a save (docs/export.md): the
 * host would otherwise start a headless Chromium to draw them. Every figure that needs one is
 * drawn, shown on the page or not (a collapsed output, a cell not yet scrolled to), in one hidden
 * sandboxed plot frame: the same frame document, CSP and plotly as the figures on the page, with
 * the report's look (light, SVG traces, {@link FALLBACK_WIDTH} px across, scale 1), so the PNG is
 * the one `probebook export --to ipynb` draws. A figure the frame fails on is left to the host.
 */
import { FALLBACK_WIDTH, figuresToDraw, type PageFigure } from '../../core/common/export/figure-fallbacks.ts';
import { MIME } from '../../core/common/mime.ts';
import type { Cell, Json } from '../../core/common/notebook/model.ts';
import type { NotebookDocument } from '../notebook/notebook-document.ts';
import { h } from '../outputs/dom.ts';
import { SandboxedFrame } from '../outputs/frames/frame-host.ts';
import type { FromFrame } from '../outputs/frames/frame-protocol.ts';
import { outputAssets } from '../outputs/index.ts';

/** Base64 characters sent with one save (the protocol takes 12 MiB, the message 16 MiB). */
const MAX_CHARS = 10 * 1024 * 1024;
/** How long a figure may take: past it the host draws it. */
const FIGURE_TIMEOUT_MS = 20_000;

type Drawn = Omit<PageFigure, 'outputId'>;
type Answer = Extract<FromFrame, { type: 'pb-fallback' }>;

let frame: SandboxedFrame | null = null;
let nextRequest = 1;
const waiting = new Map<number, (a: Answer) => void>();
/** PNGs drawn or being drawn, by figure hash: drawn ahead of a save, and never twice (the host does not send them back). */
const drawing = new Map<string, Promise<Drawn | null>>();
/**
 * Outputs (`outputId:hash`) whose PNG a save delivered: the host has them, the page's copy of the
 * notebook does not. By output, not figure: a cell run again makes new outputs, which need theirs.
 */
const delivered = new Set<string>();
/** PNGs kept (by hash): a notebook's figures and a few older versions of them. */
const MAX_KEPT = 64;
/** Quiet time after the outputs change before figures are drawn ahead (a live figure is drawn once it settles). */
const AHEAD_DELAY_MS = 1500;

function fallbackFrame(): SandboxedFrame {
  if (frame) return frame;
  // Off screen, not display:none: a frame that is not rendered may be throttled.
  const box = h('div', 'pb-fallback-frame');
  box.setAttribute('aria-hidden', 'true');
  box.style.cssText = 'position:fixed;left:-10000px;top:0;width:800px;height:10px;overflow:hidden;';
  document.body.append(box);
  frame = new SandboxedFrame(box, {
    src: new URL('plot-frame.html', outputAssets().frameBase).href,
    title: 'Figure fallbacks',
    signal: new AbortController().signal,
    initialHeight: 10,
    onMessage: (msg) => {
      if (msg.type !== 'pb-fallback') return;
      waiting.get(msg.requestId)?.(msg);
      waiting.delete(msg.requestId);
    },
  });
  return frame;
}

function draw(figure: Json, hash: string): Promise<Drawn | null> {
  const known = drawing.get(hash);
  if (known) return known;
  const requestId = nextRequest++;
  const drawn = new Promise<Drawn | null>((resolve) => {
    const timer = setTimeout(() => {
      waiting.delete(requestId);
      resolve(null);
    }, FIGURE_TIMEOUT_MS);
    waiting.set(requestId, (a) => {
      clearTimeout(timer);
      resolve('error' in a ? null : { figure: hash, png: a.png.replace(/^data:image\/png;base64,/, ''), width: a.width, height: a.height });
    });
    fallbackFrame().post({ type: 'pb-fallback', requestId, figure, width: FALLBACK_WIDTH });
  });
  drawing.set(hash, drawn);
  // A failed one is tried again at the next save; the oldest go when there are many.
  void drawn.then((d) => d || drawing.delete(hash));
  while (drawing.size > MAX_KEPT) drawing.delete(drawing.keys().next().value!);
  return drawn;
}

/** The PNGs to send with a save: one per figure whose fallback is missing or older than the figure. */
export async function figurePngs(cells: readonly Cell[]): Promise<PageFigure[]> {
  const todo = figuresToDraw({ cells: cells as Cell[] }).filter((t) => !delivered.has(`${t.output.outputId}:${t.figure}`));
  const drawn = await Promise.all(
    todo.map(async (t) => {
      const figure = t.output.items.find((i) => i.mime === MIME.plotly)!.data;
      const png = await draw(figure, t.figure);
      return png && { ...png, outputId: t.output.outputId };
    }),
  );
  const out: PageFigure[] = [];
  let chars = 0;
  for (const d of drawn) {
    if (!d || chars + d.png.length > MAX_CHARS) continue;
    chars += d.png.length;
    out.push(d);
  }
  return out;
}

/**
 * Draws the PNGs of `doc`'s figures ahead of a save, when its outputs have been quiet a moment and
 * the page is idle, so that a save only sends them. Returns a function that stops it.
 */
export function drawFiguresAhead(doc: NotebookDocument): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const schedule = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => requestIdleCallback(() => void figurePngs(doc.cells), { timeout: 5000 }), AHEAD_DELAY_MS);
  };
  const off = doc.on((e) => {
    if (e.kind === 'outputs') schedule();
  });
  schedule();
  return () => {
    clearTimeout(timer);
    off();
  };
}

/** Once every PNG being drawn is done: how many are ready. */
export async function figurePngsDrawn(): Promise<number> {
  return (await Promise.all(drawing.values())).filter(Boolean).length;
}

/** A save with these PNGs succeeded: they are not drawn or sent again. */
export function figurePngsSaved(figures: readonly PageFigure[]): void {
  for (const f of figures) delivered.add(`${f.outputId}:${f.figure}`);
}
