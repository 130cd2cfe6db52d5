/**
 * The notebook API of TypeScript cells as a declaration file, for the editor's completions and
 * hover docs (the page loads it into Monaco's TypeScript defaults).
 */
export const NOTEBOOK_API_TYPES = `
/** Shows a value as a rich output: arrays of objects as a table, plotly figures as charts, strings as text, the rest as JSON. \`{ id }\` updates an earlier display in place. */
declare function display(value: unknown, options?: { id?: string }): void;
/** A sortable, filterable table. */
declare function table(rows: object[], options?: { columns?: string[]; id?: string }): void;
/** A plotly chart: a figure \`{ data, layout }\` or a list of traces and a layout. */
declare function plot(figure: { data: object[]; layout?: object } | object[], layout?: object, options?: { id?: string }): void;
/** A progress bar in this cell, updated in place: \`progress(i / n, "rules")\`. */
declare function progress(value: number | { done: number; total: number }, label?: string): void;
/** Another cell's last outputs, parsed. Cells are named in their options (metadata.probebook.name). */
declare function cell(name: string): Promise<CellSnapshot>;
/** Runs another cell with parameters (its environment / $1…) and resolves to its outputs. */
declare function run(name: string, params?: Record<string, string | number | boolean>): Promise<CellSnapshot>;
/** Runs a shell command (bash); interpolated values are quoted. Throws on a non-zero exit; \`$.nothrow\` does not. */
declare const $: ((strings: TemplateStringsArray, ...values: unknown[]) => Promise<ShellResult>) & { nothrow: (strings: TemplateStringsArray, ...values: unknown[]) => Promise<ShellResult> };
/** The run's parameters (notebook defaults, overridden by --param or run()). */
declare const params: Record<string, string>;
/** \`iperf3 -J\` output → intervals (t in s, Mbit/s, cwnd KB, retransmits) and the summary. */
declare function iperf3(json: string | object): { intervals: { t: number; mbps: number; cwndKB?: number; retransmits?: number }[]; summary: { mbps: number; retransmits?: number; seconds: number } | null; error?: string };
/** A bpftrace hist/lhist print → buckets with bpftrace's labels. */
declare function histogram(payload: BpftraceMap, key?: string): { low: number | null; high: number | null; count: number; label: string }[];
/** Repeated prints of one map (interval probes) → a time series per key, t in seconds since the trace began. */
declare function series(prints: BpftraceMap[]): Record<string, { t: number; value: number }[]>;
interface ShellResult { stdout: string; stderr: string; exitCode: number | null }
interface BpftraceMap { name: string; kind: 'map' | 'hist' | 'stats'; keyless: boolean; entries: { key: string[]; rawKey: string; value: unknown }[]; printIndex: number; time: number; runStart?: number }
interface CellSnapshot {
  name: string;
  status: 'idle' | 'ok' | 'failed' | 'interrupted';
  exitCode?: number | null;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON when it is JSON (iperf3 -J). */
  json?: any;
  /** bpftrace map prints by name, in order. */
  maps: Record<string, BpftraceMap[]>;
  outputs: { kind: string; mime: string; data: unknown; time?: number }[];
  startedAt?: number;
  endedAt?: number;
}
`;
