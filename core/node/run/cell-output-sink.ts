import { MIME } from '../../common/mime.ts';
import { withStaticFallbacks } from '../../common/static-fallbacks.ts';
import type { Cell, Output } from '../../common/notebook/model.ts';
import { displayOutput, errorOutput, streamOutput } from '../../common/notebook/outputs.ts';
import type { OutputEdit } from '../../common/protocol.ts';
import type { OutputSink } from '../kernels/kernel.ts';
import { CaptureOutput } from './capture-output.ts';
import { StreamLimiter } from './stream-limiter.ts';

/**
 * The OutputSink of one execution of `cell`: each call becomes an output edit of the cell, handed
 * to `apply` (streams append to the cell's last output of that stream, within `memoryLimitBytes`).
 */
export function cellOutputSink(
  cell: Cell,
  memoryLimitBytes: number,
  apply: (edit: OutputEdit) => void,
  options: { notebookPath?: string } = {},
): OutputSink & { finish(): void } {
  const limiter = new StreamLimiter(memoryLimitBytes);
  const add = (output: Output) => apply({ kind: 'add', output });
  let capture: CaptureOutput | undefined;
  const sink: OutputSink & { finish(): void } = {
    /** The execution ended: a capture's last packets and final view. */
    finish: () => capture?.end(),
    bytes: (_name, data) => {
      capture ??= new CaptureOutput({
        notebookPath: options.notebookPath,
        cellId: cell.id,
        command: cell.source.split('\n').find((line) => /\b(tcpdump|dumpcap|tshark|cat)\b/.test(line)),
        sink,
      });
      capture.push(data);
    },
    stream: (name, text) => {
      const { kept, dropped } = limiter.take(name, text);
      const last = cell.outputs.at(-1);
      const mime = name === 'stdout' ? MIME.stdout : MIME.stderr;
      if (last?.kind === 'stream' && last.items[0]?.mime === mime) {
        if (kept) apply({ kind: 'append', outputId: last.outputId, text: kept });
        // Noted in the document only: the file says how much was cut when it is saved.
        if (dropped) cell.outputs.at(-1)!.truncated = limiter.dropped(name);
        return;
      }
      if (!kept) return;
      const output = streamOutput(name, kept, Date.now());
      if (dropped) output.truncated = limiter.dropped(name);
      add(output);
    },
    // Probebook's views get a static text/html table for Jupyter, GitHub and nbconvert (static-fallbacks.ts).
    display: (items, options) => add(displayOutput(withStaticFallbacks(items), { displayId: options?.displayId, time: Date.now() })),
    update: (displayId, items) => {
      const output = displayOutput(withStaticFallbacks(items), { displayId, time: Date.now() });
      const shown = cell.outputs.find((o) => o.displayId === displayId);
      if (!shown) return add(output);
      output.outputId = shown.outputId;
      apply({ kind: 'replace', output });
    },
    clear: () => apply({ kind: 'clear' }),
    error: (error) => add(errorOutput(error, Date.now())),
    dropped: (name, count) => {
      limiter.addDropped(name, count);
      const mime = name === 'stdout' ? MIME.stdout : MIME.stderr;
      const last = cell.outputs.findLast((o) => o.kind === 'stream' && o.items[0]?.mime === mime);
      if (last) last.truncated = limiter.dropped(name);
    },
  };
  return sink;
}
