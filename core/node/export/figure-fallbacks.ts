/**
 * Draws the PNG fallbacks of a notebook's figures (core/common/export/figure-fallbacks.ts) with the
 * real plotly rendering: the figures needing one are put in a report page, opened in headless
 * Chromium, and each drawn figure is taken with `Plotly.toImage`.
 */
import { figuresToDraw, setFallback } from '../../common/export/figure-fallbacks.ts';
import { reportData } from '../../common/export/report-data.ts';
import type { Notebook } from '../../common/notebook/model.ts';
import { ChromiumMissingError } from './chromium.ts';
import { withReportPage } from './export-notebook.ts';
import { reportAssets, reportHtml } from './report-html.ts';

/** Width of a fallback in CSS pixels: the report page is this wide, less its padding. */
const PAGE_WIDTH = 864;

/**
 * Adds or refreshes the PNG fallback of every figure that lacks an up-to-date one, in place.
 * Returns how many were drawn (0 without launching Chromium when none is needed). Throws
 * ChromiumMissingError when Chromium is needed and absent.
 */
export async function addFigureFallbacks(notebook: Notebook, env?: NodeJS.ProcessEnv): Promise<number> {
  const todo = figuresToDraw(notebook);
  if (!todo.length) return 0;
  // Only the figures, each as a cell of its own: a figure is drawn the same wherever it is.
  const only: Notebook = {
    ...notebook,
    cells: todo.map((t, i) => ({ id: `figure-${i}`, cellType: 'code', source: '', metadata: {}, outputs: [t.output], executionCount: null })),
  };
  // A figure is safe to draw whatever the notebook's trust (plotly's renderer is a safe one).
  const data = reportData(only, { fileName: 'figures', trusted: false, showCode: false });
  const html = reportHtml(data, reportAssets());
  const images = await withReportPage(html, 'Drawing PNG fallbacks of figures', PAGE_WIDTH, env, (page) =>
    page.evaluate(() => window.pbReport.figureImages(1)),
  );
  const byId = new Map(images.map((i) => [i.outputId, i]));
  let drawn = 0;
  for (const t of todo) {
    const image = byId.get(t.output.outputId);
    if (!image) continue;
    setFallback(t, { png: image.png.replace(/^data:image\/png;base64,/, ''), width: image.width, height: image.height });
    drawn++;
  }
  return drawn;
}

let toldNoChromium = false;

/**
 * What `probebook run` and a save in the app do before writing: figures get their PNG fallbacks
 * when Chromium is here; otherwise it says once (per process) how to get them. Never fails the
 * save: the outputs matter more. Returns how many figures were drawn.
 */
export async function addFallbacksBeforeSave(notebook: Notebook, say: (line: string) => void, env?: NodeJS.ProcessEnv): Promise<number> {
  if (!figuresToDraw(notebook).length) return 0;
  try {
    const drawn = await addFigureFallbacks(notebook, env);
    if (drawn) say(`drew ${drawn} figure${drawn === 1 ? '' : 's'} as PNG for Jupyter, GitHub and nbconvert`);
    return drawn;
  } catch (error) {
    if (!(error instanceof ChromiumMissingError)) say(`figures are saved without PNG fallbacks: ${(error as Error).message}`);
    else if (!toldNoChromium)
      say(
        'figures are saved without PNG fallbacks (Jupyter, GitHub and nbconvert show a line of text): sudo apt install chromium, then "probebook export NOTEBOOK.ipynb --to ipynb --inplace" adds them',
      );
    toldNoChromium ||= error instanceof ChromiumMissingError;
    return 0;
  }
}
