/**
 * The outputs harness page: mounts an output area and exposes `window.pbHarness` so the e2e
 * tests (test/e2e/outputs-*.test.ts) can feed outputs and edits; "Demo outputs" shows a few
 * outputs by hand.
 */
import '../../../renderer/outputs/outputs.css';
import './harness.css';
import { MIME } from '../../../core/common/mime.ts';
import type { Output } from '../../../core/common/notebook/model.ts';
import type { OutputEdit } from '../../../core/common/protocol.ts';
import { createOutputArea, renderOutput, type OutputArea, type Theme } from '../../../renderer/outputs/index.ts';

const stage = document.getElementById('stage')!;
const darkBox = document.getElementById('dark') as HTMLInputElement;
const trustBox = document.getElementById('trusted') as HTMLInputElement;
let area: OutputArea | null = null;

function theme(): Theme {
  return darkBox.checked ? 'dark' : 'light';
}

function mount(outputs: Output[], options: { trusted?: boolean; theme?: Theme; group?: boolean } = {}): void {
  area?.dispose();
  if (options.theme) darkBox.checked = options.theme === 'dark';
  if (options.trusted !== undefined) trustBox.checked = options.trusted;
  document.documentElement.dataset['pbTheme'] = theme();
  area = createOutputArea(stage, { trusted: trustBox.checked, theme: theme(), groupMapPrints: options.group ?? true });
  area.reset(outputs);
}

function current(): OutputArea {
  if (!area) throw new Error('call pbHarness.mount first');
  return area;
}

const harness = {
  mount,
  apply: (edit: OutputEdit) => current().apply(edit),
  flush: () => current().flush(),
  ready: () => current().ready(),
  outputs: () => current().outputs,
  errorLocations: () => current().errorLocations(),
  setTheme(t: Theme) {
    darkBox.checked = t === 'dark';
    document.documentElement.dataset['pbTheme'] = t;
    current().setTheme(t);
  },
  setTrusted(trusted: boolean) {
    trustBox.checked = trusted;
    current().setTrusted(trusted);
  },
  /** Appends `count` numbered lines to a stream output in chunks, without sending them over CDP. */
  streamLines(outputId: string, count: number, chunkLines = 50_000) {
    for (let start = 0; start < count; start += chunkLines) {
      let text = '';
      const end = Math.min(count, start + chunkLines);
      for (let i = start; i < end; i++) text += `line ${i + 1} of ${count}: ${i % 7 === 0 ? '\x1b[32mok\x1b[0m' : 'tick'} value=${(i * 2654435761) % 1000}\n`;
      current().apply({ kind: 'append', outputId, text });
    }
  },
  /** Renders one output outside any area (for renderOutput's own API). */
  renderOne(output: Output, trusted: boolean) {
    const view = renderOutput(output, stage, { trusted, theme: theme() });
    return view.ready.then(() => view.rendererId);
  },
};

declare global {
  interface Window {
    pbHarness: typeof harness;
  }
}
window.pbHarness = harness;

darkBox.addEventListener('change', () => area && harness.setTheme(theme()));
trustBox.addEventListener('change', () => area && harness.setTrusted(trustBox.checked));
document.getElementById('demo')!.addEventListener('click', () => {
  mount([
    {
      outputId: 'd1',
      kind: 'stream',
      items: [{ mime: MIME.stdout, data: 'Building \x1b[1;32mprobebook\x1b[0m…\n  10%\r  55%\r 100%\n\x1b[33mwarning:\x1b[0m 3 things\n' }],
    },
    { outputId: 'd2', kind: 'stream', items: [{ mime: MIME.stderr, data: "ERROR: couldn't set RLIMIT_MEMLOCK\n" }] },
    {
      outputId: 'd3',
      kind: 'display_data',
      items: [
        { mime: MIME.plotly, data: { data: [{ y: [3, 1, 4, 1, 5, 9, 2, 6], type: 'scatter', name: 'pi' }], layout: { title: { text: 'demo' }, height: 300 } } },
      ],
    },
    { outputId: 'd4', kind: 'display_data', items: [{ mime: MIME.markdown, data: '**Markdown** with `code` and a [link](https://example.org).' }] },
    { outputId: 'd5', kind: 'display_data', items: [{ mime: MIME.json, data: { a: [1, 2, 3], b: { c: 'text', d: null } } }] },
  ]);
});
