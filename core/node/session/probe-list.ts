/**
 * Probe names for the editor's completion: `bpftrace -l`, cached per machine and kernel in the
 * user's cache folder (listing takes seconds; the probes change only with the kernel).
 */
import { execa } from 'execa';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { homedir, release } from 'node:os';
import { join } from 'node:path';
import { missingToolMessage } from '../tools/missing-tool.ts';

const MAX_PROBES = 200_000;

function cacheFile(): string {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'probebook', `probes-${release()}.txt`);
}

let memory: Promise<string[]> | undefined;

async function allProbes(): Promise<string[]> {
  try {
    return (await readFile(cacheFile(), 'utf8')).split('\n').filter(Boolean);
  } catch {
    // not cached yet
  }
  const result = await execa('bpftrace', ['-l'], { reject: false, timeout: 60_000, stdin: 'ignore', maxBuffer: 64 * 1024 * 1024 });
  if ((result as { code?: string }).code === 'ENOENT') throw new Error(missingToolMessage('bpftrace'));
  const probes = String(result.stdout)
    .split('\n')
    .filter((l) => /^[a-z_]+:/.test(l))
    .slice(0, MAX_PROBES);
  if (probes.length === 0)
    throw new Error(
      `bpftrace -l listed no probes${
        result.stderr
          ? `: ${
              String(result.stderr)
                .split('\n')
                .find((l) => l && !/RLIMIT_MEMLOCK/.test(l)) ?? ''
            }`
          : ''
      } (listing tracepoints usually needs root and a mounted tracefs).`,
    );
  await mkdir(join(cacheFile(), '..'), { recursive: true });
  await writeFile(cacheFile(), `${probes.join('\n')}\n`);
  return probes;
}

/** Probes whose name contains `filter` (or all), at most 5,000 for one answer. */
export async function listProbes(filter?: string): Promise<{ probes: string[]; error?: string }> {
  try {
    memory ??= allProbes();
    const probes = await memory;
    const wanted = filter ? probes.filter((p) => p.includes(filter)) : probes;
    return { probes: wanted.slice(0, 5000) };
  } catch (error) {
    memory = undefined;
    return { probes: [], error: (error as Error).message };
  }
}
