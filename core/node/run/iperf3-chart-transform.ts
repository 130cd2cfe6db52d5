import { MIME } from '../../common/mime.ts';
import { iperf3Figure } from '../../common/notebook-api/iperf3-chart.ts';
import type { OutputTransform } from './output-transform.ts';

/** Bytes of stdout past which no chart is tried: iperf3's JSON is far smaller. */
const MAX_TEXT = 16 * 1024 * 1024;

/** `iperf3 -J` printed by a shell cell that succeeded becomes a throughput/cwnd chart too (issue 6: charts without TypeScript). */
export const iperf3ChartTransform: OutputTransform = {
  afterCell(cell, { language, result }, sink) {
    if (language !== 'shell' || result.status !== 'ok') return;
    const stdout = cell.outputs.filter((o) => o.kind === 'stream' && o.items[0]?.mime === MIME.stdout);
    if (stdout.length === 0 || stdout.some((o) => o.truncated)) return;
    const text = stdout.map((o) => String(o.items[0]!.data)).join('');
    if (text.length > MAX_TEXT) return;
    const figure = iperf3Figure(text);
    if (figure)
      sink.display([
        { mime: MIME.plotly, data: { data: figure.data, layout: figure.layout } as never },
        { mime: MIME.plain, data: figure.summary },
      ]);
  },
};
