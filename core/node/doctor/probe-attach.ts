/**
 * Whether a probe type really attaches, by attaching one: `bpftrace --info` reports what the
 * kernel headers promise (here "kprobe: yes") while the attach fails (no kprobe_events). Needs root.
 */
import { execa } from 'execa';

export interface AttachResult {
  usable: boolean;
  /** bpftrace's own words when it failed (noise such as the RLIMIT_MEMLOCK warning dropped). */
  reason: string;
}

/** Attaches `probe` (e.g. `kprobe:vfs_read`) with an empty action and exits at once. */
export async function probeAttach(probe: string, timeoutMs = 15_000): Promise<AttachResult> {
  const result = await execa('bpftrace', ['-e', `${probe} {} BEGIN { exit(); }`], { reject: false, timeout: timeoutMs, stdin: 'ignore', all: true });
  if (result.exitCode === 0) return { usable: true, reason: '' };
  if (result.timedOut) return { usable: false, reason: `bpftrace did not finish within ${timeoutMs} ms` };
  if ((result as { code?: string }).code === 'ENOENT') return { usable: false, reason: 'bpftrace is not installed' };
  return { usable: false, reason: attachFailureReason(String(result.all ?? '')) || `bpftrace exited with ${result.signal ?? `code ${result.exitCode}`}` };
}

/** The lines of bpftrace's output that say why (errors, missing files), without its known noise. */
function attachFailureReason(output: string): string {
  const lines = output
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/RLIMIT_MEMLOCK|^Attaching \d+ probe|^~+$|^\S+:\S+ \{\} BEGIN/.test(l));
  const telling = lines.filter((l) => /ERROR|FATAL|No such file|not available|Permission denied|Operation not permitted/i.test(l));
  return (telling.length ? telling : lines).slice(0, 3).join(' / ');
}
