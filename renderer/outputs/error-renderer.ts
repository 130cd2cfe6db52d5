/**
 * Cell errors (`application/vnd.probebook.error`): the error's name and message, the traceback
 * with ANSI colours, and the location in the cell. The view exposes `errorLocation`, and a click
 * on "line N" dispatches a bubbling `probebook:reveal-line` event ({@link RevealLineDetail}) so
 * the page can move the editor there.
 */
import { MIME, type CellErrorData } from '../../core/common/mime.ts';
import { h } from './dom.ts';
import type { ItemView, OutputRenderer } from './registry.ts';
import { TextView } from './text/text-view.ts';

/** Detail of the `probebook:reveal-line` event. */
export interface RevealLineDetail {
  outputId: string;
  line: number;
  column?: number;
}

export const REVEAL_LINE_EVENT = 'probebook:reveal-line';

function errorData(data: unknown): CellErrorData {
  const d = (data ?? {}) as Partial<CellErrorData>;
  const loc = d.location && typeof d.location.line === 'number' && d.location.line >= 1 ? d.location : undefined;
  return {
    ename: typeof d.ename === 'string' ? d.ename : 'Error',
    evalue: typeof d.evalue === 'string' ? d.evalue : '',
    traceback: Array.isArray(d.traceback) ? d.traceback.filter((l): l is string => typeof l === 'string') : [],
    location: loc,
  };
}

export const errorRenderer: OutputRenderer = {
  id: 'error',
  mimeTypes: [MIME.error],
  rank: 5,
  safe: true,
  render(item, element, ctx): ItemView {
    const err = errorData(item.data);
    const head = h('div', 'pb-error-head', h('span', 'pb-error-name', err.ename), err.evalue ? h('span', 'pb-error-value', err.evalue) : null);
    const box = h('div', 'pb-error', head);
    if (err.location) {
      const { line, column } = err.location;
      const link = h('button', 'pb-error-loc', `line ${line}${column ? `, column ${column}` : ''}`);
      link.type = 'button';
      link.title = 'Show this line in the cell';
      link.addEventListener('click', () => {
        const detail: RevealLineDetail = { outputId: ctx.output.outputId, line, column };
        element.dispatchEvent(new CustomEvent(REVEAL_LINE_EVENT, { bubbles: true, composed: true, detail }));
      });
      head.append(link);
    }
    element.append(box);
    let text: TextView | null = null;
    if (err.traceback.length) {
      text = new TextView(box, { kind: 'stderr' });
      text.append(err.traceback.join('\n'));
      text.flush();
    }
    return { errorLocation: err.location ?? null, dispose: () => text?.dispose(), flush: () => text?.flush() };
  },
};
