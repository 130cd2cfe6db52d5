/**
 * bpftrace cells: `bpftrace -f json` on the cell's text. printf and friends stream live; every
 * map print becomes one `application/vnd.probebook.bpftrace+json` output with a text fallback;
 * errors point at the cell's line and column. Stopping a cell sends SIGINT first, so bpftrace
 * prints its maps and the cell succeeds ("trace for 10 s").
 */
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MIME, type CellErrorData } from '../../common/mime.ts';
import { describeDiagnostic, narrowSpan, parseBpftraceStderr, RLIMIT_NOISE, type BpftraceDiagnostic } from '../../common/parsers/bpftrace/diagnostics.ts';
import { renderMapText } from '../../common/parsers/bpftrace/map-text.ts';
import { createBpftraceParser, type BpftraceEvent } from '../../common/parsers/bpftrace/stream-parser.ts';
import { runCellProcess } from '../process/cell-process.ts';
import { makePrivateDir } from '../process/runtime-dir.ts';
import { probeFamilies, probeFamilyUsable, tracefsProblem } from '../tools/bpftrace-features.ts';
import { missingToolMessage } from '../tools/missing-tool.ts';
import type { ExecutionRequest, ExecutionResult, Kernel } from './kernel.ts';

/** Longest grace a stopped bpftrace gets (2,800 fentry probes took over 5 minutes to detach: bpftrace#3053). */
const MAX_STOP_GRACE_MS = 10 * 60_000;
/** From this many probes on, stopping tells the user why the cell takes a while to end. */
const SLOW_STOP_PROBES = 50;

/**
 * The interrupt ladder's grace for a bpftrace that attached `probes` probes. On SIGINT bpftrace
 * detaches every probe and only then prints its maps: ~55 ms a tracepoint on our machine (186
 * took 10 s), more for kprobes on older kernels (bcc#1317: tens of seconds for hundreds). A
 * fixed 3 s would kill it mid-detach and lose the maps the whole trace was for.
 */
export function bpftraceStopGrace(probes: number, baseMs: number): number {
  return Math.min(MAX_STOP_GRACE_MS, Math.max(baseMs, 2000 + probes * 150));
}

/** Builtins that need `--unsafe` (the team's SECURITY.md: flagged unless the cell opts in). */
const UNSAFE_CALLS = /\b(system|signal|override)\s*\(/;

export interface BpftraceKernelOptions {
  /** The bpftrace binary (default `bpftrace` on PATH). */
  bpftrace?: string;
}

export class BpftraceKernel implements Kernel {
  readonly language = 'bpftrace' as const;
  readonly #bpftrace: string;

  constructor(options: BpftraceKernelOptions = {}) {
    this.#bpftrace = options.bpftrace ?? 'bpftrace';
  }

  async execute(request: ExecutionRequest): Promise<ExecutionResult> {
    const started = Date.now();
    const fail = (error: CellErrorData): ExecutionResult => {
      request.sink.error(error);
      return { status: 'failed', stopped: false, error, durationMs: Date.now() - started };
    };

    const precheck = await this.#precheck(request);
    if (precheck) return fail(precheck);

    // 0700, named for this process so a later start removes it if we are killed mid-trace.
    const dir = makePrivateDir('probebook-bt-');
    const script = join(dir, 'cell.bt');
    try {
      await writeFile(script, request.code, { mode: 0o600 });
      const parser = createBpftraceParser({ runStart: started });
      /** How many probes bpftrace attached (its `attached_probes` event). */
      let probes = 0;
      let stderr = '';
      let stderrLine = '';
      let echoLines = 0;
      const stopGrace = () => {
        const grace = bpftraceStopGrace(probes, request.graceMs ?? 3000);
        if (grace !== (request.graceMs ?? 3000)) request.onStopGrace?.(grace);
        if (probes >= SLOW_STOP_PROBES) {
          request.sink.stream(
            'stderr',
            `[probebook: stopping bpftrace: it prints its maps once it has detached its ${probes.toLocaleString('en-US')} probes, which can take a while; stop it again to kill it without them]\n`,
          );
        }
        return grace;
      };
      // Set once bpftrace shows it is exiting (the blank lines before its maps): no more SIGINTs then.
      const exiting = new AbortController();
      let lastStdout = '\n'; // the last character read: a blank line may span two reads
      const handle = (events: BpftraceEvent[]) => {
        for (const event of events) {
          if (event.type === 'attached_probes') {
            probes = event.probes;
            request.onTracing?.();
          }
          this.#output(event, request);
        }
      };
      const args = ['-f', 'json', '-B', 'none', ...(request.unsafe ? ['--unsafe'] : []), script, ...request.args];
      const result = await runCellProcess(this.#bpftrace, args, {
        cwd: request.cwd,
        env: request.env,
        signal: request.signal,
        graceMs: stopGrace,
        // bpftrace before 0.21 loses a SIGINT that arrives while it attaches probes (bpftrace#3053): it
        // would trace on until SIGTERM and never print its maps. Sent again, it is acted on once attached.
        repeatSigintMs: 250,
        // But once it acts on one it restores SIGINT's default action, prints two blank lines (up to
        // 0.23) and then its maps: a SIGINT then kills it mid-print. Its JSON lines are never blank.
        repeatSigintUntil: exiting.signal,
        hurry: request.hurry,
        onSpawn: request.onSpawn,
        onStdout: (text) => {
          if (!exiting.signal.aborted && `${lastStdout}${text}`.includes('\n\n')) exiting.abort();
          lastStdout = text.at(-1) ?? lastStdout;
          handle(parser.push(text));
        },
        onStderr: (text) => {
          stderr += text;
          // Lines that are not diagnostics pass through live (warnings of the program, attach messages).
          stderrLine += text;
          const lines = stderrLine.split('\n');
          stderrLine = lines.pop()!;
          const passed: string[] = [];
          for (const line of lines) {
            if (echoLines > 0) {
              echoLines--;
              continue;
            } // the source line and ~~~ marker under a location
            if (RLIMIT_NOISE.test(line)) continue;
            if (isDiagnosticLine(line, script)) {
              if (/^\S+:\d+:\d+-\d+: /.test(line)) echoLines = 2;
              continue;
            }
            passed.push(line.split(script).join('cell'));
          }
          if (passed.length) request.sink.stream('stderr', `${passed.join('\n')}\n`);
        },
      });
      handle(parser.end());
      if (parser.lostEvents > 0) {
        request.sink.stream(
          'stderr',
          `[probebook: bpftrace lost ${parser.lostEvents.toLocaleString('en-US')} events: the trace is incomplete. Print less per event, or raise BPFTRACE_PERF_RB_PAGES.]\n`,
        );
      }
      const durationMs = Date.now() - started;
      if (result.spawnError) {
        return fail(
          result.spawnError.code === 'ENOENT'
            ? { ename: 'MissingTool', evalue: missingToolMessage('bpftrace'), traceback: [] }
            : { ename: 'SpawnError', evalue: `bpftrace could not start: ${result.spawnError.message}`, traceback: [] },
        );
      }
      const base = { stopped: result.stopped, exitCode: result.exitCode, exitSignal: result.exitSignal, durationMs };
      // Interrupted and exited cleanly: the maps were printed, which is what stopping bpftrace is for.
      if (result.exitCode === 0) return { ...base, status: 'ok' };
      if (result.stopped && result.exitCode === null) {
        request.sink.stream(
          'stderr',
          `[probebook: bpftrace did not stop on ${result.stoppedWith === 'SIGKILL' ? 'SIGINT or SIGTERM' : 'SIGINT'} and was killed; its maps were not printed]\n`,
        );
        return { ...base, status: 'interrupted' };
      }
      const error = await this.#explainFailure(request, parseBpftraceStderr(stderr, script).diagnostics, result.exitCode);
      request.sink.error(error);
      return { ...base, status: 'failed', error };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** Problems found before running: unsafe builtins, tracefs, probe types this kernel lacks. */
  async #precheck(request: ExecutionRequest): Promise<CellErrorData | undefined> {
    const unsafe = UNSAFE_CALLS.exec(request.code);
    if (unsafe && !request.unsafe) {
      const line = request.code.slice(0, unsafe.index).split('\n').length;
      return {
        ename: 'UnsafeBpftrace',
        evalue: `line ${line}: ${unsafe[1]}() runs with root's power outside the trace; set metadata.probebook.unsafe to true on this cell if you mean it.`,
        traceback: [],
        location: { line },
      };
    }
    const families = probeFamilies(request.code);
    if (families.has('tracepoint')) {
      const problem = tracefsProblem();
      if (problem) return { ename: 'KernelFeature', evalue: problem, traceback: [], location: { line: families.get('tracepoint')!.line } };
    }
    for (const family of ['kprobe', 'fentry'] as const) {
      const use = families.get(family);
      if (!use) continue;
      const { usable, reason } = await probeFamilyUsable(family);
      if (!usable) return unavailable(family, use.probe, use.line, reason);
    }
    return undefined;
  }

  #output(event: BpftraceEvent, request: ExecutionRequest): void {
    switch (event.type) {
      case 'text':
        request.sink.stream('stdout', event.text);
        return;
      case 'value':
        request.sink.stream('stdout', `${typeof event.value === 'string' ? event.value : JSON.stringify(event.value)}\n`);
        return;
      case 'map':
        request.sink.display([
          { mime: MIME.bpftrace, data: event.payload as never },
          { mime: MIME.plain, data: renderMapText(event.payload) },
        ]);
        return;
      case 'diagnostic':
        request.sink.stream(
          'stderr',
          `${event.level === 'error' ? 'ERROR' : 'WARNING'}${event.line !== undefined ? ` (line ${event.line}${event.column !== undefined ? `, column ${event.column}` : ''})` : ''}: ${event.message}\n`,
        );
        return;
      case 'invalid':
        request.sink.stream('stderr', `[probebook: could not read a line of bpftrace's output (${event.reason}): ${event.line}]\n`);
        return;
      case 'unknown':
        request.sink.stream('stdout', `${event.kind}: ${JSON.stringify(event.raw)}\n`);
        return;
      case 'attached_probes':
        return; // the cell's status already says it runs
    }
  }

  async #explainFailure(request: ExecutionRequest, diagnostics: BpftraceDiagnostic[], exitCode: number | null): Promise<CellErrorData> {
    const errors = diagnostics.filter((d) => d.level === 'error').map((d) => narrowSpan(d, request.code));
    const first = errors.find((d) => d.line !== undefined) ?? errors[0];
    const attach = errors.map((d) => /Error attaching probe: '([^']+)'/.exec(d.message)).find(Boolean);
    if (attach) {
      const probe = attach[1]!;
      const family = /^(kprobe|kretprobe|k|kr):/.test(probe) ? 'kprobe' : /^(kfunc|kretfunc|fentry|fexit|f|fr):/.test(probe) ? 'fentry' : undefined;
      if (family) {
        const { usable, reason } = await probeFamilyUsable(family);
        if (!usable) {
          const line = request.code.split('\n').findIndex((l) => l.includes(probe.split(':').slice(1).join(':'))) + 1;
          return unavailable(family, probe, line || 1, reason);
        }
      }
      return {
        ename: 'BpftraceAttachError',
        evalue: `bpftrace could not attach ${probe}: the function or tracepoint may not exist on this kernel, or may not be traceable. Check it with: bpftrace -l '${probe}'`,
        traceback: errors.map((d) => d.message),
      };
    }
    if (first) {
      const { summary, context } = describeDiagnostic(first, request.code);
      const more = errors.filter((d) => d !== first).map((d) => describeDiagnostic(d, request.code).summary);
      const location = first.line !== undefined ? { line: first.line, column: first.column, endColumn: first.endColumn, endLine: first.endLine } : undefined;
      return { ename: 'BpftraceError', evalue: summary, traceback: [...context, ...more], location };
    }
    return { ename: 'BpftraceError', evalue: `bpftrace exited with code ${exitCode}.`, traceback: [] };
  }

  async reset(): Promise<void> {
    // bpftrace keeps no state between cells.
  }

  async dispose(): Promise<void> {}
}

function unavailable(family: 'kprobe' | 'fentry', probe: string, line: number, reason: string): CellErrorData {
  const what = family === 'kprobe' ? 'kprobes' : 'fentry/kfunc probes';
  return {
    ename: 'KernelFeature',
    evalue: `line ${line}: ${probe} needs ${what}, which this kernel cannot attach: ${reason}.`,
    traceback: [
      family === 'kprobe'
        ? 'Use a tracepoint instead where one exists (bpftrace -l "tracepoint:*" lists them), or run on a kernel with CONFIG_KPROBES=y (Ubuntu and Debian kernels have it).'
        : 'fentry needs BTF and a kernel with BPF trampolines (5.5+ on x86-64); kprobes or tracepoints work where it does not.',
      'probebook doctor shows which probe types this machine supports.',
    ],
    location: { line },
  };
}

function isDiagnosticLine(line: string, script: string): boolean {
  return line.startsWith(`${script}:`) || /^(ERROR|WARNING|HINT): /.test(line) || /^\s*~+\s*$/.test(line) || line.startsWith('stdin:');
}
