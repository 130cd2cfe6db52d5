/**
 * Runs a shipped notebook with `probebook run` into a temporary file, as the lab notebook tests do,
 * and reads the cells' saved outputs back by cell name.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { execa } from 'execa';
import { repoRoot } from './root.ts';

export interface SavedOutput {
  output_type: string;
  name?: string;
  data?: Record<string, unknown>;
  text?: string | string[];
  ename?: string;
  evalue?: string;
}

export interface RanNotebook {
  exitCode: number | undefined;
  stderr: string;
  /** The saved cells by name. */
  cells: Map<string, SavedOutput[]>;
  /** A cell's stream text (stdout and stderr together). */
  text(cell: string): string;
  /** The data of a cell's outputs of one MIME type. */
  data<T>(cell: string, mime: string): T[];
}

const joined = (value: unknown) => (Array.isArray(value) ? value.join('') : String(value ?? ''));

/** Network namespaces now. */
export const namespaces = () =>
  execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })
    .split('\n')
    .map((l) => l.split(' ')[0]);

/** `probebook run notebooks/NAME --out TMP --param …`, with its own state folder; the temporary folder goes when the test ends. */
export async function runNotebook(t: TestContext, name: string, params: Record<string, string | number>, timeoutMs = 120_000): Promise<RanNotebook> {
  const dir = mkdtempSync(join(tmpdir(), 'pb-nb-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const out = join(dir, name);
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && k !== 'NODE_TEST_CONTEXT') env[k] = v;
  const args = Object.entries(params).flatMap(([k, v]) => ['--param', `${k}=${v}`]);
  const run = await execa(process.execPath, [join(repoRoot, 'bin/probebook.mjs'), 'run', join(repoRoot, 'notebooks', name), '--out', out, ...args], {
    env: { ...env, XDG_STATE_HOME: join(dir, 'state') },
    extendEnv: false,
    reject: false,
    timeout: timeoutMs,
  });
  const nb = JSON.parse(readFileSync(out, 'utf8')) as { cells: { metadata: { probebook?: { name?: string } }; outputs?: SavedOutput[] }[] };
  const cells = new Map<string, SavedOutput[]>();
  for (const c of nb.cells) if (c.metadata.probebook?.name) cells.set(c.metadata.probebook.name, c.outputs ?? []);
  return {
    exitCode: run.exitCode,
    stderr: run.stderr,
    cells,
    text: (cell) =>
      (cells.get(cell) ?? [])
        .filter((o) => o.output_type === 'stream')
        .map((o) => joined(o.text))
        .join(''),
    data: <T>(cell: string, mime: string) => (cells.get(cell) ?? []).filter((o) => o.data?.[mime] !== undefined).map((o) => o.data![mime] as T),
  };
}

/** Live (not zombie) processes whose command line matches `pattern`, as "PID: command line". */
export function livingProcesses(pattern: RegExp): string[] {
  const found: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (/\) Z /.test(readFileSync(`/proc/${entry}/stat`, 'utf8'))) continue;
      const command = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
      if (pattern.test(command)) found.push(`${entry}: ${command}`);
    } catch {
      // gone meanwhile
    }
  }
  return found;
}
