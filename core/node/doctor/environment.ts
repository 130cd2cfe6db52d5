/**
 * The environment behind a run's numbers, recorded in the notebook's `metadata.probebook.environment`
 * by `probebook run` and by the app after each run: kernel, distribution, CPU count, tool versions
 * and kernel features. Found the way the doctor finds them (the same version probes, tracefs and
 * BTF checks), once per process and off the hot path: after a run, never before a cell's output.
 * What tools print is untrusted: only a version-shaped token of a bounded first line is kept.
 */
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { cpus, hostname, release, version } from 'node:os';
import type { JsonObject, Notebook } from '../../common/notebook/model.ts';
import { NO_ANSWER, tracefsMount, versionLine } from './checks.ts';

/** The tools whose versions are recorded (when installed), as `notebook-files.md` lists them. */
export const ENVIRONMENT_TOOLS = ['bpftrace', 'tcpdump', 'tshark', 'iperf3', 'iptables', 'nft', 'pwru'] as const;
type Tool = (typeof ENVIRONMENT_TOOLS)[number];

/** `metadata.probebook.environment`: exactly this shape (exports render it). */
export interface RunEnvironment {
  /** ISO 8601: when the run this describes began. */
  recordedAt: string;
  /** `uname -r` and the kernel's build string (`uname -v`). */
  kernel: string;
  /** PRETTY_NAME of os-release. */
  distribution: string;
  cpus: number;
  /** Version of each installed tool, e.g. `{ "bpftrace": "0.17.0", "iptables": "1.8.9 (nf_tables)" }`. */
  tools: Partial<Record<Tool, string>>;
  features: { kprobes: boolean; btf: boolean; tracefs: boolean };
  /** Only when asked for (`metadata.probebook.recordHostname`, `probebook run --record-hostname`). */
  hostname?: string;
}

type Machine = Omit<RunEnvironment, 'recordedAt' | 'hostname'>;

/** A version probe is given this long (the doctor gives 10 s; a busy machine records no version rather than waiting). */
const VERSION_TIMEOUT_MS = 5_000;
const MAX_FIELD = 120;

let machine: Promise<Machine> | undefined;

/** What this machine is, probed once per process (tools are not installed mid-session often enough to probe again). */
function machineEnvironment(): Promise<Machine> {
  machine ??= probeMachine();
  return machine;
}

async function probeMachine(): Promise<Machine> {
  const tools: Partial<Record<Tool, string>> = {};
  await Promise.all(
    ENVIRONMENT_TOOLS.map(async (tool) => {
      const line = await versionLine(tool, ['--version'], VERSION_TIMEOUT_MS).catch(() => null);
      const parsed = line === null || line === NO_ANSWER ? undefined : toolVersion(tool, line);
      if (parsed) tools[tool] = parsed;
    }),
  );
  const point = tracefsMount();
  return {
    kernel: clean(`${release()} ${version()}`),
    distribution: distribution(),
    cpus: cpus().length,
    tools: Object.fromEntries(ENVIRONMENT_TOOLS.filter((t) => tools[t]).map((t) => [t, tools[t]!])),
    features: { kprobes: kprobesPresent(point), btf: existsSync('/sys/kernel/btf/vmlinux'), tracefs: point !== null },
  };
}

/** Printable ASCII only, bounded: tool output and os-release are not ours. */
function clean(text: string): string {
  return text
    .replace(/\x1b\[[0-9;?]*[ -/]*[@-~]/g, '')
    .replace(/[^\x20-\x7e]/g, '')
    .trim()
    .slice(0, MAX_FIELD);
}

/**
 * The version in a tool's `--version` first line: its first version-shaped token (`bpftrace
 * v0.17.0` → `0.17.0`, `TShark (Wireshark) 4.0.17 (Git …)` → `4.0.17`); iptables keeps its
 * backend (`1.8.9 (nf_tables)`). Undefined when the line holds none.
 */
export function toolVersion(tool: string, line: string): string | undefined {
  const text = clean(line.slice(0, 1000));
  const m = /(?:^|[\s(v])(\d{1,6}(?:\.\d{1,9}){1,4}(?:[-+~][0-9A-Za-z.+~-]{1,40})?)(?=$|[\s),;])/.exec(text);
  if (!m) return undefined;
  const backend = tool === 'iptables' ? /\((nf_tables|legacy)\)/.exec(text)?.[1] : undefined;
  return backend ? `${m[1]} (${backend})` : m[1];
}

/** PRETTY_NAME from os-release text (shell-style quoting), undefined when absent. */
export function prettyName(osRelease: string): string | undefined {
  for (const line of osRelease.split('\n')) {
    const m = /^PRETTY_NAME=(.*)$/.exec(line.trim());
    if (!m) continue;
    let value = m[1]!.trim();
    const quote = value[0];
    if ((quote === '"' || quote === "'") && value.endsWith(quote) && value.length >= 2) value = value.slice(1, -1);
    if (quote === '"') value = value.replace(/\\([$"`\\])/g, '$1');
    const result = clean(value);
    return result || undefined;
  }
  return undefined;
}

function distribution(): string {
  for (const path of ['/etc/os-release', '/usr/lib/os-release']) {
    try {
      const name = prettyName(readFileSync(path, 'utf8').slice(0, 64 * 1024));
      if (name) return name;
    } catch {
      // the next one, or unknown
    }
  }
  return 'unknown';
}

/**
 * Whether the kernel has kprobes, as the bpftrace cells' check decides first (bpftrace-features):
 * a mounted tracefs without `kprobe_events` has none. Where tracefs cannot be read (not root), the
 * kernel's symbols say whether kprobe events were built in.
 */
function kprobesPresent(point: string | null): boolean {
  if (point && existsSync(point) && canRead(point)) return existsSync(`${point}/kprobe_events`);
  try {
    return /\skprobe_dispatcher\n/.test(readFileSync('/proc/kallsyms', 'utf8'));
  } catch {
    return false;
  }
}

function canRead(dir: string): boolean {
  try {
    accessSync(dir, constants.R_OK | constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Whether the notebook asks for its runs' hostname (`metadata.probebook.recordHostname: true`). */
function wantsHostname(notebook: Notebook): boolean {
  const probebook = notebook.metadata.probebook;
  return probebook !== null && typeof probebook === 'object' && !Array.isArray(probebook) && (probebook as JsonObject).recordHostname === true;
}

/** The environment of a run that began at `startedAt`; the hostname only when the notebook or the caller asks. */
export async function runEnvironment(notebook: Notebook, options: { startedAt: number; hostname?: boolean }): Promise<RunEnvironment> {
  const found = await machineEnvironment();
  const env: RunEnvironment = { recordedAt: new Date(options.startedAt).toISOString(), ...found };
  if (options.hostname || wantsHostname(notebook)) env.hostname = clean(hostname());
  return env;
}

/**
 * The notebook's metadata with `probebook.environment` set (a new object; the rest as it was).
 * A `metadata.probebook` that is not an object is the user's to fix: left as it is, no environment.
 */
export function withEnvironment(metadata: JsonObject, env: RunEnvironment): JsonObject {
  const probebook = metadata.probebook ?? {};
  if (probebook === null || typeof probebook !== 'object' || Array.isArray(probebook)) return metadata;
  return { ...metadata, probebook: { ...probebook, environment: env as unknown as JsonObject } };
}
