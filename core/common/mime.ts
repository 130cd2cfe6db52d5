/**
 * Every MIME type Probebook produces or renders, in one place. Streams, errors and domain payloads
 * are MIME types (as in VS Code notebooks), so one output model carries them all.
 */
export const MIME = {
  /** Text a process wrote to stdout. Data: string. */
  stdout: 'application/vnd.probebook.stdout',
  /** Text a process wrote to stderr. Data: string. */
  stderr: 'application/vnd.probebook.stderr',
  /** A failed cell. Data: {@link CellErrorData}. */
  error: 'application/vnd.probebook.error',
  /** One bpftrace map/hist/stats print. Data: `BpftraceMapPayload` (core/common/parsers/bpftrace). */
  bpftrace: 'application/vnd.probebook.bpftrace+json',
  /** Captured packets (list, header tree, bytes). Data: `PacketsPayload` (core/common/packets/payload.ts). */
  packets: 'application/vnd.probebook.packets+json',
  /** A classic BPF program (`tcpdump -d/-dd/-ddd`). Data: `BpfProgramPayload` (core/common/packets/payload.ts). */
  bpfProgram: 'application/vnd.probebook.bpf-program+json',
  /** iptables/nft rules with counters (and deltas). Data: `RulesPayload` (core/common/parsers/netfilter/rules-model.ts). */
  rules: 'application/vnd.probebook.rules+json',
  /** Packet journeys (pwru, or the tracepoint journey bpf/skb-journey.bt). Data: `JourneyPayload` (core/common/journeys/types.ts). */
  pwru: 'application/vnd.probebook.pwru+json',
  /** A table of rows (from TypeScript cells' `table()`, or parsers). */
  table: 'application/vnd.probebook.table+json',
  /** A plotly figure `{ data, layout, config? }`. */
  plotly: 'application/vnd.plotly.v1+json',
  json: 'application/json',
  html: 'text/html',
  markdown: 'text/markdown',
  plain: 'text/plain',
  svg: 'image/svg+xml',
  png: 'image/png',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  javascript: 'application/javascript',
} as const;

/** Data of an {@link MIME.error} item; mirrors nbformat's `error` output. */
export interface CellErrorData {
  /** Short class of error, e.g. `ExitCode`, `BpftraceSyntaxError`, `MissingTool`, `TypeError`. */
  ename: string;
  /** One-line human message: what happened and what to do next. */
  evalue: string;
  /** Further lines (may contain ANSI colour), e.g. the source line with a marker. */
  traceback: string[];
  /** Where in the cell the error points, 1-based, when known. */
  location?: { line: number; column?: number; endLine?: number; endColumn?: number };
}
