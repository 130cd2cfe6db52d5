/**
 * Whether a running cell is ready (`metadata.probebook.ready`, or a bpftrace cell's probes being
 * attached), as the runner sees it: output lines are matched here, on the unprivileged side; a
 * port or a file is checked by whoever runs the cell's processes (its executor: the kernel host)
 * and reported through `onReady`. Every condition given must hold; the wait has a deadline.
 */
import { DEFAULT_READY_TIMEOUT, parseDuration } from '../../common/notebook/cell-options.ts';
import type { ReadyOptions } from '../../common/notebook/model.ts';
import type { ReadyWatch } from '../kernels/kernel.ts';

/** Characters of an unfinished line kept for matching: a line longer than this is matched by its start. */
const MAX_LINE = 64 * 1024;
/** What a failure message quotes of the cell's output. */
const TAIL_LINES = 15;
const TAIL_CHARS = 2000;

export class ReadinessWait {
  readonly startedAt = Date.now();
  readonly timeoutMs: number;
  /** The timeout as written ("30s"). */
  readonly #timeout: string;
  /** What it waits for, for people: "output /listening on/ and port tcp/5201". */
  readonly description: string;
  /** What the executor checks (a port, a file), when anything. */
  readonly watch: ReadyWatch | undefined;
  /** Resolves once every condition held (never rejects; it may never resolve). */
  readonly ready: Promise<void>;
  #resolve!: () => void;
  #readyAt: number | undefined;
  readonly #pattern: RegExp | undefined;
  #outputSeen: boolean;
  #attached: boolean;
  #watchHeld: boolean;
  /** The unfinished last line of each stream. */
  readonly #partial = { stdout: '', stderr: '' };
  #tail = '';

  /** `attach`: a bpftrace cell, ready no sooner than its probes are attached. */
  constructor(options: ReadyOptions | undefined, attach: boolean) {
    this.#timeout = options?.timeout ?? DEFAULT_READY_TIMEOUT;
    this.timeoutMs = parseDuration(this.#timeout);
    this.#pattern = options?.output !== undefined ? new RegExp(options.output) : undefined;
    this.#outputSeen = this.#pattern === undefined;
    this.#attached = !attach;
    this.watch =
      options?.port || options?.file ? { ...(options.port ? { port: options.port } : {}), ...(options.file ? { file: options.file } : {}) } : undefined;
    this.#watchHeld = this.watch === undefined;
    const parts: string[] = [];
    if (attach) parts.push('probes attached');
    if (options?.output !== undefined) parts.push(`output /${options.output}/`);
    if (options?.port) parts.push(`port ${options.port.protocol}/${options.port.port}`);
    if (options?.file) parts.push(`file ${options.file}`);
    this.description = parts.join(' and ');
    this.ready = new Promise((resolve) => {
      this.#resolve = resolve;
    });
  }

  /** Milliseconds from the cell's start to ready; undefined while not ready. */
  get readyAfterMs(): number | undefined {
    return this.#readyAt === undefined ? undefined : this.#readyAt - this.startedAt;
  }

  get isReady(): boolean {
    return this.#readyAt !== undefined;
  }

  /** Text the cell printed: each complete line is matched against `output`. */
  stream(name: 'stdout' | 'stderr', text: string): void {
    this.#tail = (this.#tail + text).slice(-TAIL_CHARS * 2);
    if (this.#outputSeen) return;
    const lines = (this.#partial[name] + text).split('\n');
    this.#partial[name] = lines.pop()!.slice(0, MAX_LINE);
    // An unfinished line counts too: a prompt-like "listening on …" may wait for its newline.
    for (const line of [...lines, this.#partial[name]]) {
      if (this.#pattern!.test(line.replace(/\r$/, '').slice(0, MAX_LINE))) {
        this.#outputSeen = true;
        this.#partial[name] = '';
        break;
      }
    }
    this.#check();
  }

  /** The bpftrace cell's probes are attached. */
  attached(): void {
    this.#attached = true;
    this.#check();
  }

  /** The executor found the port and the file. */
  watchHeld(): void {
    this.#watchHeld = true;
    this.#check();
  }

  /** Conditions that do not hold yet, for an error: "port tcp/5201" (all of them when none held). */
  get missing(): string {
    const parts: string[] = [];
    if (!this.#attached) parts.push('probes attached');
    if (!this.#outputSeen) parts.push(`output /${this.#pattern!.source}/`);
    if (!this.#watchHeld && this.watch?.port) parts.push(`port ${this.watch.port.protocol}/${this.watch.port.port}`);
    if (!this.#watchHeld && this.watch?.file) parts.push(`file ${this.watch.file}`);
    return parts.join(' and ');
  }

  /** The last lines the cell printed, for an error. */
  get tail(): string {
    const lines = this.#tail.slice(-TAIL_CHARS).split('\n');
    if (lines.at(-1) === '') lines.pop();
    return lines.slice(-TAIL_LINES).join('\n');
  }

  /**
   * Why the wait failed, for people: what it waited for, what did not happen, how the cell ended
   * (`ended`: its exit, its own error) and what it printed last.
   */
  failure(cellLabel: string, why: 'timeout' | { exitCode?: number | null; exitSignal?: string | null; error?: string }): string {
    const how = why === 'timeout' ? '' : why.exitSignal ? ` (killed by ${why.exitSignal})` : why.exitCode ? ` (exit code ${why.exitCode})` : '';
    const head =
      why === 'timeout'
        ? `${cellLabel} was not ready after ${this.#timeout}: it waited for ${this.description}`
        : `${cellLabel} ended${how} before it was ready: it waited for ${this.description}`;
    const missing = this.missing !== this.description ? ` (still missing: ${this.missing})` : '';
    const error = why !== 'timeout' && why.error ? `\nIts error: ${why.error.split('\n').slice(0, 5).join('\n')}` : '';
    const tail = this.tail;
    return `${head}${missing}.${error}${tail ? `\nLast output:\n${tail}` : error ? '' : '\nIt printed nothing.'}`;
  }

  #check(): void {
    if (this.#readyAt !== undefined || !this.#outputSeen || !this.#attached || !this.#watchHeld) return;
    this.#readyAt = Date.now();
    this.#resolve();
  }
}
