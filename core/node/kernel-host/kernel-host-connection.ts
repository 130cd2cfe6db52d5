/**
 * The unprivileged end of a kernel host's stdio: sends `KernelRequest`s as NDJSON, reads
 * `KernelMessage`s (size-limited, parsed at the edge), performs the `kernel_hello` handshake and
 * keeps the heartbeat going.
 */
import type { ResultPromise } from 'execa';
import { MAX_MESSAGE_BYTES, PROTOCOL_VERSION, type KernelMessage, type KernelMessageType, type KernelRequest } from '../../common/protocol.ts';
import { readLines, writeLine } from './ndjson.ts';

export type KernelWelcome = Extract<KernelMessage, { type: 'kernel_welcome' }>;

export interface KernelHostExit {
  exitCode: number | null;
  signal: string | null;
  /** The end of what the kernel host (or sudo/pkexec) wrote to stderr. */
  stderr: string;
  /** Set when the program could not be started at all (e.g. `ENOENT`: not installed). */
  spawnError?: string;
}

const STDERR_TAIL = 8192;

export class KernelHostConnection {
  readonly subprocess: ResultPromise;
  /** Resolves when the process has exited (never rejects). */
  readonly exited: Promise<KernelHostExit>;
  #listeners = new Set<(message: KernelMessage) => void>();
  #stderr = '';
  #heartbeat: NodeJS.Timeout | undefined;
  #seq = 0;
  #welcomed = false;
  #early = '';
  #forward: ((text: string) => void) | null;

  /** `forwardStderr` gets the host's stderr as it arrives (default: this process's stderr). */
  constructor(subprocess: ResultPromise, forwardStderr: ((text: string) => void) | null = (t) => process.stderr.write(t)) {
    this.subprocess = subprocess;
    subprocess.stderr?.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      this.#stderr = (this.#stderr + text).slice(-STDERR_TAIL);
      // Before the welcome, stderr is sudo's or pkexec's refusal: it goes into the error, not the terminal.
      if (this.#welcomed) forwardStderr?.(text);
      else this.#early += text;
    });
    this.#forward = forwardStderr;
    subprocess.stdin?.on('error', () => undefined); // EPIPE after the host died: reported through `exited`
    readLines(subprocess.stdout!, MAX_MESSAGE_BYTES, {
      line: (line) => {
        const message = parseKernelMessage(line);
        if (message) for (const listener of this.#listeners) listener(message);
        else process.stderr.write(`probebook: ignored a malformed line from the kernel host: ${line.slice(0, 200)}\n`);
      },
      oversize: (bytes) => process.stderr.write(`probebook: dropped a ${bytes}-byte message from the kernel host (limit ${MAX_MESSAGE_BYTES})\n`),
      end: () => undefined,
    });
    this.exited = subprocess
      .then(
        (r) => r,
        (r) => r,
      )
      .then((r: { exitCode?: number; signal?: string; code?: string; failed?: boolean }) => {
        clearInterval(this.#heartbeat);
        const exit: KernelHostExit = { exitCode: r.exitCode ?? null, signal: r.signal ?? null, stderr: this.#stderr };
        if (r.exitCode === undefined && r.signal === undefined && r.code) exit.spawnError = r.code;
        return exit;
      });
  }

  get pid(): number | undefined {
    return this.subprocess.pid;
  }

  stderrTail(): string {
    return this.#stderr;
  }

  onMessage(listener: (message: KernelMessage) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  send(request: KernelRequest): boolean {
    return writeLine(this.subprocess.stdin!, request);
  }

  /**
   * Sends `kernel_hello` and resolves with the host's `kernel_welcome`; rejects with the exit
   * (and its stderr) if the process ends first, or after `timeoutMs` when given.
   */
  hello(heartbeatMs: number, timeoutMs?: number): Promise<KernelWelcome> {
    return new Promise<KernelWelcome>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const done = () => {
        clearTimeout(timer);
        off();
      };
      const off = this.onMessage((message) => {
        if (message.type === 'kernel_welcome') {
          done();
          this.#welcomed = true;
          if (this.#early) this.#forward?.(this.#early);
          this.#early = '';
          this.#startHeartbeat(heartbeatMs);
          resolve(message);
        } else if (message.type === 'error') {
          done();
          reject(new HelloError(message.message, null));
        }
      });
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => {
          off();
          reject(new HelloError(`the kernel host did not answer within ${timeoutMs} ms`, null));
        }, timeoutMs);
      }
      void this.exited.then((exit) => {
        done();
        reject(new HelloError(`exited with ${exit.signal ?? `code ${exit.exitCode}`}`, exit));
      });
      this.send({ type: 'kernel_hello', protocolVersion: PROTOCOL_VERSION, heartbeatMs });
    });
  }

  #startHeartbeat(ms: number): void {
    this.#heartbeat = setInterval(() => this.send({ type: 'heartbeat', seq: ++this.#seq }), ms);
    this.#heartbeat.unref();
  }

  /** Stops the heartbeat (tests use it to see the host give up). */
  stopHeartbeat(): void {
    clearInterval(this.#heartbeat);
  }

  /**
   * Ends the session: `shutdown_request`, then stdin EOF, then SIGTERM (sudo and pkexec relay
   * it), each after a grace; resolves with the exit.
   */
  async close(graceMs = 3000): Promise<KernelHostExit> {
    const wait = (ms: number) => Promise.race([this.exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms).unref())]);
    this.send({ type: 'shutdown_request', requestId: 'shutdown' });
    if (await wait(graceMs)) return this.exited;
    this.subprocess.stdin?.end();
    if (await wait(graceMs)) return this.exited;
    this.subprocess.kill('SIGTERM');
    return this.exited;
  }
}

/** The kernel host ended or refused before its welcome. */
export class HelloError extends Error {
  constructor(
    message: string,
    readonly exit: KernelHostExit | null,
  ) {
    super(message);
  }
}

/** Every type of {@link KernelMessage}, and whether it must name its request (`requestId`). */
const KERNEL_MESSAGE_TYPES: Record<KernelMessageType, boolean> = {
  kernel_welcome: false,
  heartbeat_ack: false,
  kernel_ack: true,
  kernel_state: true,
  kernel_stream: true,
  kernel_bytes: true,
  kernel_display: true,
  kernel_update: true,
  kernel_clear: true,
  kernel_error: true,
  kernel_ended: true,
  kernel_audit: false,
  kernel_notebook_call: true,
  error: false,
};

/** Parses one line from the kernel host: a JSON object of a known `KernelMessage` type with its `requestId`, or null. */
function parseKernelMessage(line: string): KernelMessage | null {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return null; // reported by the caller
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const { type, requestId } = value as { type?: unknown; requestId?: unknown };
  if (typeof type !== 'string' || !Object.hasOwn(KERNEL_MESSAGE_TYPES, type)) return null;
  if (KERNEL_MESSAGE_TYPES[type as KernelMessageType] && typeof requestId !== 'string') return null;
  return value as KernelMessage;
}
