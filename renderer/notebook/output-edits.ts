/**
 * A cell's outputs after a protocol `OutputEdit`, as the page keeps them. Outputs are replaced,
 * never changed in place: the output area may hold the same objects and appends on its own.
 */
import type { Output } from '../../core/common/notebook/model.ts';
import type { OutputEdit } from '../../core/common/protocol.ts';

/** Applies an output edit to `outputs` (the array changes; the output objects do not). */
export function applyOutputEdit(outputs: Output[], edit: OutputEdit): void {
  switch (edit.kind) {
    case 'clear':
      outputs.length = 0;
      return;
    case 'add':
      outputs.push(edit.output);
      return;
    case 'replace': {
      const i = outputs.findIndex((o) => o.outputId === edit.output.outputId);
      if (i !== -1) outputs[i] = edit.output;
      return;
    }
    case 'append': {
      const i = outputs.findIndex((o) => o.outputId === edit.outputId);
      const output = outputs[i];
      if (!output) return;
      const at = output.items.findIndex((item) => typeof item.data === 'string');
      if (at === -1) return;
      const items = output.items.slice();
      items[at] = { ...items[at]!, data: (items[at]!.data as string) + edit.text };
      outputs[i] = { ...output, items };
      return;
    }
  }
}
