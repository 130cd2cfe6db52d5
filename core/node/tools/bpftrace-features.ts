/**
 * Which probe types a bpftrace script needs, and whether this kernel really has them. kprobes and
 * fentry are tested by attaching one (`bpftrace --info` says "kprobe: yes" on kernels without
 * CONFIG_KPROBES); results are cached for the life of the process.
 */
import { existsSync } from 'node:fs';
import { probeAttach } from '../doctor/probe-attach.ts';
import { tracefsMount } from '../doctor/checks.ts';

export type ProbeFamily = 'kprobe' | 'fentry' | 'tracepoint' | 'uprobe' | 'usdt';

/** Probe prefixes of each family, long and short forms (bpftrace accepts both). */
const FAMILIES: Record<ProbeFamily, string[]> = {
  kprobe: ['kprobe', 'kretprobe', 'k', 'kr'],
  fentry: ['fentry', 'fexit', 'kfunc', 'kretfunc', 'f', 'fr'],
  tracepoint: ['tracepoint', 't', 'rawtracepoint', 'rt'],
  uprobe: ['uprobe', 'uretprobe', 'u', 'ur'],
  usdt: ['usdt', 'U'],
};

/** The probe families a script attaches to, with the first probe of each (for messages). */
export function probeFamilies(script: string): Map<ProbeFamily, { probe: string; line: number }> {
  const found = new Map<ProbeFamily, { probe: string; line: number }>();
  const lines = stripComments(script).split('\n');
  lines.forEach((text, index) => {
    // A probe starts a line or follows a `}` or `,` (several probes share one action).
    for (const m of text.matchAll(/(?:^|[},]\s*)([A-Za-z]+):([^\s{,/]+)/g)) {
      const prefix = m[1]!;
      for (const [family, prefixes] of Object.entries(FAMILIES) as [ProbeFamily, string[]][]) {
        if (prefixes.includes(prefix) && !found.has(family)) found.set(family, { probe: `${prefix}:${m[2]}`, line: index + 1 });
      }
    }
  });
  return found;
}

function stripComments(script: string): string {
  return script.replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' ')).replace(/\/\/[^\n]*/g, '');
}

const cache = new Map<ProbeFamily, Promise<{ usable: boolean; reason: string }>>();

/** Whether kprobes / fentry really attach here (cached). Other families are assumed present. */
export function probeFamilyUsable(family: ProbeFamily): Promise<{ usable: boolean; reason: string }> {
  let result = cache.get(family);
  if (!result) {
    result = check(family);
    cache.set(family, result);
  }
  return result;
}

async function check(family: ProbeFamily): Promise<{ usable: boolean; reason: string }> {
  if (family === 'kprobe') {
    const point = tracefsMount();
    // Without kprobe_events in a mounted tracefs the kernel has no kprobes (CONFIG_KPROBE_EVENTS off).
    if (point && !existsSync(`${point}/kprobe_events`)) {
      return { usable: false, reason: `this kernel has no kprobe support (${point}/kprobe_events does not exist: CONFIG_KPROBES is off)` };
    }
    return probeAttach('kprobe:vfs_read');
  }
  if (family === 'fentry') {
    if (!existsSync('/sys/kernel/btf/vmlinux')) return { usable: false, reason: 'the kernel has no BTF (/sys/kernel/btf/vmlinux), which fentry needs' };
    return probeAttach('kfunc:vfs_read');
  }
  return { usable: true, reason: '' };
}

/** What a tracepoint needs: a mounted tracefs. Null when fine, else the fix. */
export function tracefsProblem(): string | null {
  if (tracefsMount()) return null;
  return 'tracefs is not mounted, so bpftrace cannot find tracepoints: sudo mount -t tracefs nodev /sys/kernel/tracing';
}
