/**
 * The doctor's fixes: a fixed table of commands, never built from user text. Run only when asked
 * (`probebook doctor --fix ID`): directly when already root, otherwise through
 * `@vscode/sudo-prompt` — the one place Probebook uses it, because each fix is a one-shot fixed
 * command whose buffered output is fine (the team's SECURITY.md).
 */
import { execa } from 'execa';
import { TOOL_PACKAGES } from '../tools/missing-tool.ts';

export interface Fix {
  id: string;
  description: string;
  argv: readonly string[];
}

const apt = (tool: string): Fix => ({
  id: `install-${tool}`,
  description: `install ${tool} (Debian package ${TOOL_PACKAGES[tool] ?? tool})`,
  argv: ['apt-get', 'install', '-y', '--no-install-recommends', TOOL_PACKAGES[tool] ?? tool],
});

export const FIXES: Readonly<Record<string, Fix>> = Object.freeze(
  Object.fromEntries(
    [
      apt('bpftrace'),
      apt('bpftool'),
      apt('tcpdump'),
      apt('tshark'),
      apt('iperf3'),
      apt('iptables'),
      apt('sudo'),
      {
        id: 'install-pkexec',
        description: 'install polkit (pkexec and polkitd) for the elevation dialog',
        argv: ['apt-get', 'install', '-y', 'pkexec', 'polkitd'],
      },
      {
        id: 'mount-tracefs',
        description: 'mount tracefs at /sys/kernel/tracing (bpftrace tracepoints need it)',
        argv: ['mount', '-t', 'tracefs', 'nodev', '/sys/kernel/tracing'],
      },
    ].map((f) => [f.id, Object.freeze(f)]),
  ),
);

/** The command line shown to the user and given to sudo-prompt. Every token is a fixed word. */
export function fixCommandLine(fix: Fix): string {
  for (const token of fix.argv) {
    // The table holds plain words only; this guards the table against a careless edit.
    if (!/^[A-Za-z0-9_./=-]+$/.test(token)) throw new Error(`fix ${fix.id}: "${token}" is not a plain word`);
  }
  return fix.argv.join(' ');
}

export interface FixOutcome {
  ok: boolean;
  output: string;
}

/** Runs fix `id` from the table; anything else is refused. */
export async function runFix(id: string, options: { root?: boolean } = {}): Promise<FixOutcome> {
  const fix = Object.hasOwn(FIXES, id) ? FIXES[id] : undefined;
  if (!fix) throw new Error(`There is no fix named "${id}". Known fixes: ${Object.keys(FIXES).join(', ')}.`);
  const command = fixCommandLine(fix);
  const root = options.root ?? process.geteuid?.() === 0;
  if (root) {
    const result = await execa(fix.argv[0]!, fix.argv.slice(1), { reject: false, all: true, stdin: 'ignore', env: { DEBIAN_FRONTEND: 'noninteractive' } });
    return { ok: result.exitCode === 0, output: String(result.all ?? '') };
  }
  const { exec } = await import('@vscode/sudo-prompt');
  return new Promise<FixOutcome>((resolve) => {
    exec(command, { name: 'Probebook' }, (error, stdout, stderr) => {
      const output = `${stdout ?? ''}${stderr ?? ''}`;
      resolve(error ? { ok: false, output: `${output}${error.message}\nRun it yourself: sudo ${command}` } : { ok: true, output });
    });
  });
}
