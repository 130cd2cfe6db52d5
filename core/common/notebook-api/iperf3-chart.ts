/**
 * A shell cell that printed `iperf3 -J` gets a throughput/cwnd chart without any TypeScript:
 * the runner asks this module whether a cell's stdout is iperf3 JSON and, if so, adds the figure.
 */
import { iperf3 } from './helpers.ts';

/** The plotly figure of an iperf3 -J run (Mbit/s, and cwnd on a second axis), or null if `stdout` is not one. */
export function iperf3Figure(stdout: string): { data: object[]; layout: object; summary: string } | null {
  const text = stdout.trim();
  if (!text.startsWith('{') || !text.includes('"intervals"') || (!text.includes('"iperf_version"') && !text.includes('"start"'))) return null;
  let result: ReturnType<typeof iperf3>;
  try {
    result = iperf3(text);
  } catch {
    return null;
  }
  if (result.intervals.length === 0) return null;
  const t = result.intervals.map((i) => i.t);
  const data: object[] = [
    { type: 'scatter', mode: 'lines+markers', name: 'throughput (Mbit/s)', x: t, y: result.intervals.map((i) => Math.round(i.mbps * 10) / 10) },
  ];
  const cwnd = result.intervals.map((i) => i.cwndKB);
  if (cwnd.some((c) => c !== undefined)) {
    // One interval (`-t 1`) is one point: a line alone would draw nothing.
    data.push({
      type: 'scatter',
      mode: t.length > 1 ? 'lines' : 'markers',
      name: 'cwnd (KB)',
      x: t,
      y: cwnd.map((c) => (c === undefined ? null : Math.round(c))),
      yaxis: 'y2',
      line: { dash: 'dot' },
    });
  }
  const summary = result.summary
    ? `iperf3: ${result.summary.mbps.toFixed(1)} Mbit/s over ${result.summary.seconds.toFixed(1)} s${result.summary.retransmits !== undefined ? `, ${result.summary.retransmits} retransmits` : ''}`
    : 'iperf3';
  return {
    data,
    layout: {
      title: { text: summary },
      xaxis: { title: { text: 'time (s)' } },
      yaxis: { title: { text: 'Mbit/s' }, rangemode: 'tozero' },
      // Its own round ticks (no grid of its own to line up with), not ticks synced to the left axis.
      yaxis2: { title: { text: 'cwnd (KB)' }, overlaying: 'y', side: 'right', rangemode: 'tozero', showgrid: false, tickmode: 'auto' },
      // At the bottom of the figure, under the x axis title (plotly's default spot overlaps it).
      legend: { orientation: 'h', yref: 'container', y: 0, yanchor: 'bottom' },
    },
    summary,
  };
}
