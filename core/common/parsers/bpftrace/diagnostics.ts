/**
 * bpftrace's compile-time messages (stderr text, never JSON):
 *   /tmp/x/cell.bt:3:25-27: ERROR: syntax error, unexpected ;, expecting ) or ","
 *     printf("%s\n", @x, 2, 3;
 *                           ~~
 * turned into diagnostics that name the cell's line and column — never the temp file.
 */

export interface BpftraceDiagnostic {
  level: 'error' | 'warning' | 'hint';
  message: string;
  /** 1-based; absent for messages without a location. */
  line?: number;
  column?: number;
  /** Exclusive end column (single-line spans). */
  endColumn?: number;
  endLine?: number;
}

const LOCATED = /^(?<file>.+?):(?<l1>\d+)(?::(?<c1>\d+)-(?<c2>\d+)|-(?<l2>\d+)): (?<lvl>ERROR|WARNING|HINT): (?<msg>.*)$/;
const UNLOCATED = /^(?<lvl>ERROR|WARNING|HINT): (?<msg>.*)$/;

/** bpftrace 0.17's harmless start-up complaint (formats.md): not a failure, not worth showing. */
export const RLIMIT_NOISE = /^ERROR: Unknown error -1: couldn't set RLIMIT_MEMLOCK/;

export interface ParsedStderr {
  diagnostics: BpftraceDiagnostic[];
  /** Lines that are neither diagnostics nor their source/marker echo, nor known noise. */
  otherLines: string[];
}

/**
 * Splits bpftrace's stderr into diagnostics and other lines. `scriptPath` is the file bpftrace
 * ran (or `stdin`): only messages about it are read as cell locations.
 */
export function parseBpftraceStderr(stderr: string, scriptPath: string): ParsedStderr {
  const lines = stderr.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const diagnostics: BpftraceDiagnostic[] = [];
  const otherLines: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (RLIMIT_NOISE.test(line)) continue;
    const located = LOCATED.exec(line);
    if (located?.groups && (located.groups.file === scriptPath || located.groups.file === 'stdin')) {
      const g = located.groups;
      const d: BpftraceDiagnostic = { level: level(g.lvl!), message: g.msg!, line: Number(g.l1) };
      if (g.c1 !== undefined) {
        d.column = Number(g.c1);
        d.endColumn = Number(g.c2);
        // bpftrace echoes the source line and a ~~~ marker under a single-line location.
        if (lines[i + 2] !== undefined && /^\s*~+\s*$/.test(lines[i + 2]!)) i += 2;
      } else {
        d.endLine = Number(g.l2);
      }
      diagnostics.push(d);
      continue;
    }
    const bare = UNLOCATED.exec(line);
    if (bare?.groups) {
      diagnostics.push({ level: level(bare.groups.lvl!), message: bare.groups.msg! });
      continue;
    }
    otherLines.push(line.split(scriptPath).join('cell'));
  }
  return { diagnostics, otherLines };
}

function level(text: string): BpftraceDiagnostic['level'] {
  return text === 'ERROR' ? 'error' : text === 'WARNING' ? 'warning' : 'hint';
}

/**
 * bpftrace gives some errors a span of lines (a probe with the comment above it). When the message
 * names something that stands on one line of the span (`tracepoint not found: net:foo`), point at
 * that line and column instead.
 */
export function narrowSpan(d: BpftraceDiagnostic, source: string): BpftraceDiagnostic {
  if (d.line === undefined || d.endLine === undefined) return d;
  const lines = source.split('\n');
  const names = d.message.match(/[\w.-]+(?::[\w.*-]+)+/g) ?? [];
  for (let n = d.line; n <= d.endLine; n++) {
    const text = lines[n - 1] ?? '';
    for (const name of names) {
      const column = text.indexOf(name);
      if (column >= 0) {
        const start = text.lastIndexOf(' ', column) + 1;
        const probeStart = /^\s*$/.test(text.slice(0, column)) ? text.search(/\S/) : start;
        return { level: d.level, message: d.message, line: n, column: Math.min(probeStart, column) + 1, endColumn: column + name.length + 1 };
      }
    }
  }
  return d;
}

/**
 * How a diagnostic reads in the notebook: `line 3, column 25: syntax error, …` with the cell's
 * source line and a `^~~` marker under the span.
 */
export function describeDiagnostic(d: BpftraceDiagnostic, source: string): { summary: string; context: string[] } {
  const where =
    d.line === undefined
      ? ''
      : d.endLine !== undefined
        ? `lines ${d.line}-${d.endLine}: `
        : `line ${d.line}${d.column !== undefined ? `, column ${d.column}` : ''}: `;
  const summary = `${where}${d.message}`;
  if (d.line === undefined) return { summary, context: [] };
  const text = source.split('\n')[d.line - 1];
  if (text === undefined) return { summary, context: [] };
  if (d.column === undefined) return { summary, context: [`${String(d.line).padStart(4)} | ${text}`] };
  const width = Math.max(1, (d.endColumn ?? d.column + 1) - d.column);
  const marker = `${' '.repeat(d.column - 1)}^${'~'.repeat(width - 1)}`;
  return { summary, context: [`${String(d.line).padStart(4)} | ${text}`, `     | ${marker}`] };
}
