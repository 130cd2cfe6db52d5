/**
 * An output transform adds outputs made from what a cell printed once it ran (a shell cell's
 * `iperf3 -J` becomes a chart), outside the runner's scheduling. The runner calls each one after
 * the cell's kernel returned and before the cell's end is reported.
 */
import type { CellLanguage } from '../../common/languages.ts';
import { MIME } from '../../common/mime.ts';
import type { Cell, Output, OutputItem } from '../../common/notebook/model.ts';
import type { ExecutionResult, OutputSink } from '../kernels/kernel.ts';

export interface OutputTransform {
  /**
   * `cell.outputs` holds what the cell made; new outputs go through `sink`, like the kernel's.
   * `previous` holds the outputs the cell had before this run cleared them (a rule table's
   * counters from the last run, to show what matched since); `above` gives the notebook's cells
   * above this one, nearest first (a journey traced there, to compare with).
   */
  afterCell(
    cell: Cell,
    ran: { language: CellLanguage; result: ExecutionResult; previous?: readonly Output[]; above?: () => readonly Cell[] },
    sink: OutputSink,
  ): void;
}

/** A cell's stdout streams and their text together; undefined when it printed none or more than `maxChars`. */
export function cellStdout(cell: Cell, maxChars: number): { streams: Output[]; text: string } | undefined {
  const streams = cell.outputs.filter((o) => o.kind === 'stream' && o.items[0]?.mime === MIME.stdout);
  if (streams.length === 0) return undefined;
  const text = streams.map((o) => String(o.items[0]!.data)).join('');
  return text.length > maxChars ? undefined : { streams, text };
}

/**
 * A view made from a tool's stdout: in the stdout's place when `only` that tool printed and every
 * output is a whole stream (the view's `text/plain` keeps what was printed); after it otherwise.
 */
export function showView(cell: Cell, sink: OutputSink, items: OutputItem[], streams: Output[], only: boolean): void {
  if (only && cell.outputs.every((o) => o.kind === 'stream') && streams.every((o) => !o.truncated)) replaceStdout(cell, sink, items);
  else sink.display(items);
}

/** Outputs are all streams: they are said again with the stdout replaced by the view, in order. */
function replaceStdout(cell: Cell, sink: OutputSink, items: OutputItem[]): void {
  const before = cell.outputs.slice();
  sink.clear();
  let shown = false;
  for (const output of before) {
    const item = output.items[0];
    if (item?.mime === MIME.stdout) {
      if (!shown) sink.display(items);
      shown = true;
    } else if (item) {
      sink.stream('stderr', String(item.data));
    }
  }
}
