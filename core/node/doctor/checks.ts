/**
 * The doctor's checks, one function each: tools and their versions, kernel features (BTF,
 * tracefs, kprobes and fentry by a real attach), how cells are contained, and how Probebook can
 * get root. Each failure says what it blocks and names its fix.
 */
import { existsSync, readFileSync } from 'node:fs';
import { release } from 'node:os';
import { execa } from 'execa';
import { detectContainment } from '../process/detect-containment.ts';
import { kernelHostEntry } from '../kernel-host/elevation.ts';
import { installCommand } from '../tools/missing-tool.ts';
import { FIXES, fixCommandLine } from './fixes.ts';
import { probeAttach } from './probe-attach.ts';
import type { DoctorCheck } from './report.ts';

export interface CheckContext {
  root: boolean;
  /** bpftrace's version, filled by the bpftrace check for the attach tests. */
  bpftraceVersion?: [number, number, number] | null;
  /** How long a tool's `--version` may take (default 10 s). */
  versionTimeoutMs?: number;
}

export type Check = (ctx: CheckContext) => Promise<DoctorCheck>;

function withFix(check: DoctorCheck, fixId: string): DoctorCheck {
  const fix = FIXES[fixId];
  return fix ? { ...check, fix: { id: fix.id, command: fixCommandLine(fix) } } : check;
}

const VERSION_TIMEOUT_MS = 10_000;
/** A version probe that was killed by its timeout: what it printed is no version. */
export const NO_ANSWER = Symbol('no answer');

/**
 * First line of `tool ARGS` (stdout or stderr), null when the tool is missing, NO_ANSWER when it
 * did not finish in time (tshark, killed after its stderr warning, would else "report" that).
 */
export async function versionLine(tool: string, args: string[], timeoutMs = VERSION_TIMEOUT_MS): Promise<string | null | typeof NO_ANSWER> {
  const result = await execa(tool, args, { reject: false, stdin: 'ignore', timeout: timeoutMs });
  if ((result as { code?: string }).code === 'ENOENT') return null;
  if (result.timedOut) return NO_ANSWER;
  // stdout first: tshark warns on stderr before its version.
  const first = (text: unknown) =>
    String(text ?? '')
      .split('\n')
      .map((l) => l.trim())
      .find(Boolean);
  return first(result.stdout) ?? first(result.stderr) ?? '';
}

/** The check of a tool whose version probe did not answer: a warning, not a made-up version. */
function noAnswer(id: string, title: string, args: string[], blocks: string, timeoutMs = VERSION_TIMEOUT_MS): DoctorCheck {
  return {
    id,
    title,
    status: 'warn',
    summary: `\`${id} ${args.join(' ')}\` did not answer within ${+(timeoutMs / 1000).toFixed(1)} s (a very busy machine?): run the doctor again`,
    blocks,
  };
}

/** The check of a tool by its version line: ok with the version, fail with the install command. */
export function toolCheck(id: string, title: string, args: string[], blocks: string, parse: (line: string) => string = (l) => l): Check {
  return async (ctx) => {
    const line = await versionLine(id, args, ctx.versionTimeoutMs);
    if (line === NO_ANSWER) return noAnswer(id, title, args, blocks, ctx.versionTimeoutMs);
    if (line === null) {
      const check: DoctorCheck = { id, title, status: 'fail', summary: `${id} is not installed`, blocks, hint: installCommand(id) };
      return withFix(check, `install-${id}`);
    }
    return { id, title, status: 'ok', summary: parse(line) };
  };
}

const bpftrace: Check = async (ctx) => {
  const line = await versionLine('bpftrace', ['--version'], ctx.versionTimeoutMs);
  if (line === NO_ANSWER) {
    ctx.bpftraceVersion = null;
    return noAnswer('bpftrace', 'bpftrace', ['--version'], 'bpftrace cells', ctx.versionTimeoutMs);
  }
  if (line === null) {
    ctx.bpftraceVersion = null;
    return withFix(
      { id: 'bpftrace', title: 'bpftrace', status: 'fail', summary: 'bpftrace is not installed', blocks: 'bpftrace cells', hint: installCommand('bpftrace') },
      'install-bpftrace',
    );
  }
  const m = /v?(\d+)\.(\d+)\.(\d+)/.exec(line);
  ctx.bpftraceVersion = m ? [Number(m[1]), Number(m[2]), Number(m[3])] : null;
  return { id: 'bpftrace', title: 'bpftrace', status: 'ok', summary: line };
};

const iptables: Check = async () => {
  const line = await versionLine('iptables', ['--version']);
  if (line === NO_ANSWER) return noAnswer('iptables', 'iptables', ['--version'], 'firewall/NAT labs');
  if (line === null) {
    return withFix(
      {
        id: 'iptables',
        title: 'iptables',
        status: 'fail',
        summary: 'iptables is not installed',
        blocks: 'firewall/NAT labs',
        hint: installCommand('iptables'),
      },
      'install-iptables',
    );
  }
  const variant = /\((nf_tables|legacy)\)/.exec(line)?.[1];
  return {
    id: 'iptables',
    title: 'iptables',
    status: 'ok',
    summary: `${line}${variant ? ` — ${variant === 'nf_tables' ? 'nft backend' : 'legacy backend'}` : ''}`,
  };
};

const pwru: Check = async () => {
  const line = await versionLine('pwru', ['--version']);
  if (line === NO_ANSWER) return noAnswer('pwru', 'pwru', ['--version'], 'packet journeys (pwru) in shell cells');
  if (line === null)
    return {
      id: 'pwru',
      title: 'pwru',
      status: 'warn',
      summary: 'pwru is not installed (optional)',
      blocks: 'packet journeys (pwru) in shell cells',
      hint: installCommand('pwru'),
    };
  return { id: 'pwru', title: 'pwru', status: 'ok', summary: line };
};

const kernel: Check = async () => {
  const [major = 0, minor = 0] = release()
    .split('.')
    .map((n) => parseInt(n, 10));
  const old = major < 5 || (major === 5 && minor < 8);
  return {
    id: 'kernel',
    title: 'Linux kernel',
    status: old ? 'warn' : 'ok',
    summary: release() + (old ? ' (older than 5.8: ring buffers and some helpers are missing)' : ''),
  };
};

const btf: Check = async () =>
  existsSync('/sys/kernel/btf/vmlinux')
    ? { id: 'btf', title: 'BTF (kernel type info)', status: 'ok', summary: '/sys/kernel/btf/vmlinux is present' }
    : {
        id: 'btf',
        title: 'BTF (kernel type info)',
        status: 'fail',
        summary: '/sys/kernel/btf/vmlinux is missing',
        blocks: 'fentry/kfunc probes and kernel struct types in bpftrace',
        hint: 'use a kernel built with CONFIG_DEBUG_INFO_BTF=y (Debian and Ubuntu kernels are)',
      };

/** Where tracefs is mounted, from /proc/self/mounts. */
export function tracefsMount(mounts = readFileSync('/proc/self/mounts', 'utf8')): string | null {
  for (const line of mounts.split('\n')) {
    const [, point, type] = line.split(' ');
    if (type === 'tracefs' && point && /^\/sys\/kernel\/(debug\/)?tracing$/.test(point)) return point;
  }
  return null;
}

const tracefs: Check = async () => {
  const point = tracefsMount();
  if (point) return { id: 'tracefs', title: 'tracefs', status: 'ok', summary: `mounted at ${point}` };
  return withFix(
    { id: 'tracefs', title: 'tracefs', status: 'fail', summary: 'tracefs is not mounted', blocks: 'bpftrace tracepoints and kprobes' },
    'mount-tracefs',
  );
};

function attach(id: string, title: string, probe: (ctx: CheckContext) => string, blocks: string, hint: string): Check {
  return async (ctx) => {
    if (ctx.bpftraceVersion === null) return { id, title, status: 'skip', summary: 'not tested: bpftrace is not installed', blocks };
    if (!ctx.root) return { id, title, status: 'skip', summary: 'not tested: attaching needs root (run "sudo probebook doctor")', blocks };
    const name = probe(ctx);
    const result = await probeAttach(name);
    if (result.usable) return { id, title, status: 'ok', summary: `${name} attached` };
    return { id, title, status: 'fail', summary: `NOT usable: ${name} does not attach: ${result.reason}`, blocks, hint };
  };
}

const kprobes = attach(
  'kprobes',
  'kprobes (attach test)',
  () => 'kprobe:vfs_read',
  'kprobe:/kretprobe: probes in bpftrace cells (tracepoints still work)',
  'use a kernel with CONFIG_KPROBES=y and CONFIG_KPROBE_EVENTS=y, with tracefs mounted',
);
// bpftrace calls fentry "kfunc" before 0.18.
const fentry = attach(
  'fentry',
  'fentry (attach test)',
  (ctx) => (ctx.bpftraceVersion && (ctx.bpftraceVersion[0] > 0 || ctx.bpftraceVersion[1] >= 18) ? 'fentry:vfs_read' : 'kfunc:vfs_read'),
  'fentry:/kfunc: probes in bpftrace cells',
  'needs BTF and a kernel with BPF trampolines (x86-64/arm64, 5.5+)',
);
const tracepoints = attach(
  'tracepoints',
  'tracepoints (attach test)',
  () => 'tracepoint:syscalls:sys_enter_openat',
  'tracepoint: probes in bpftrace cells (most lab scripts)',
  'mount tracefs and use a kernel with CONFIG_FTRACE_SYSCALLS=y',
);

const cgroups: Check = async () => {
  const info = detectContainment();
  const title = 'cell containment';
  if (info.mode === 'cgroup2')
    return {
      id: 'cgroups',
      title,
      status: 'ok',
      summary: `cgroup v2 per cell: ${info.reason}${info.killFile ? '' : ' (no cgroup.kill: killed pid by pid while frozen)'}`,
    };
  // Not root: the kernel host (root) decides; report what it will find.
  if (info.v2Mount && process.geteuid?.() !== 0)
    return { id: 'cgroups', title, status: 'ok', summary: `cgroup v2 at ${info.v2Mount}: the kernel host (root) gives each cell its own cgroup` };
  return {
    id: 'cgroups',
    title,
    status: 'warn',
    summary: `process group only: ${info.reason}`,
    blocks: 'stopping cell children that call setsid and drop the Probebook environment marker',
  };
};

const elevation: Check = async (ctx) => {
  const title = 'root privileges for cells';
  if (ctx.root) return { id: 'elevation', title, status: 'ok', summary: 'already root: the kernel host runs as a plain child' };
  let entry: string;
  try {
    entry = kernelHostEntry();
  } catch (error) {
    return { id: 'elevation', title, status: 'fail', summary: (error as Error).message, blocks: 'running cells' };
  }
  // With arguments of the real shape: a sudoers rule "kernel-host.js *" needs at least one.
  const args = ['--parent-pid', String(process.pid), '--user-uid', String(process.getuid?.()), '--user-gid', String(process.getgid?.())];
  const sudo = await execa('sudo', ['-n', '-l', '--', process.execPath, entry, ...args], { reject: false, all: true, stdin: 'ignore', timeout: 10_000 });
  if (sudo.exitCode === 0) return { id: 'elevation', title, status: 'ok', summary: 'passwordless sudo (sudo -n) allows the kernel host' };
  const pkexec = existsSync('/usr/bin/pkexec');
  // polkit answers over the D-Bus system bus; without it pkexec cannot ask anyone.
  if (pkexec && existsSync('/run/dbus/system_bus_socket')) {
    return { id: 'elevation', title, status: 'ok', summary: 'pkexec: a polkit dialog asks once per session (needs a desktop session with a polkit agent)' };
  }
  const user = process.env.USER ?? 'YOUR_USER';
  return withFix(
    {
      id: 'elevation',
      title,
      status: 'fail',
      summary: `none: no passwordless sudo for the kernel host, and ${pkexec ? 'pkexec cannot reach polkit (no D-Bus system bus)' : 'no pkexec'}`,
      blocks: 'running cells (they need root)',
      hint: `echo '${user} ALL=(root) NOPASSWD: ${process.execPath} ${entry} *' | sudo tee /etc/sudoers.d/probebook, or install polkit, or run Probebook as root ("sudo probebook serve", "sudo probebook run NOTEBOOK.ipynb")`,
    },
    'install-pkexec',
  );
};

/** Every check, in the order the report lists them (bpftrace first: the attach tests use its version). */
export const CHECKS: Check[] = [
  bpftrace,
  toolCheck('tcpdump', 'tcpdump', ['--version'], 'packet capture in shell cells'),
  toolCheck('tshark', 'tshark', ['--version'], 'full dissection of saved captures (tshark -r FILE -V); the packet view decodes packets itself'),
  toolCheck('iperf3', 'iperf3', ['--version'], 'throughput labs'),
  iptables,
  pwru,
  kernel,
  btf,
  tracefs,
  tracepoints,
  kprobes,
  fentry,
  cgroups,
  elevation,
];
