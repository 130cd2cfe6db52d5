/**
 * Watches what makes a cell ready on the side that runs its processes (`ReadyWatch`: a port, a
 * file) and calls back once it all holds.
 *
 * A port counts only when one of the cell's own processes holds the socket: the socket tables of
 * the process's network namespace (`/proc/PID/net/tcp`, `tcp6`, `udp`, `udp6`, which show the
 * namespace of PID, so a server started with `ip netns exec` is seen in its namespace) give the
 * inode of every socket listening (TCP) or bound (UDP) on the port, and `/proc/PID/fd` says
 * whether the process holds one of them. Connecting from here would test another namespace, and
 * would count a stranger's server on the same port.
 *
 * A file is checked with `stat` by this process, which runs as the cell's user (the kernel host
 * sends a user cell's watch to the user's host): existence only, nothing is opened or read.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { ReadyPort } from '../../common/notebook/model.ts';
import type { ReadyWatch } from '../kernels/kernel.ts';

const TCP_LISTEN = '0A';

/**
 * Inodes of the sockets of one `/proc/net/{tcp,tcp6,udp,udp6}` table that listen (TCP) or are
 * bound (UDP, any state) on `port`.
 * @example boundInodes('  0: 00000000:1451 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 4242 1 …', 5201, true) // ['4242']
 */
export function boundInodes(table: string, port: number, tcp: boolean): string[] {
  const inodes: string[] = [];
  for (const line of table.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10) continue;
    const local = f[1]!;
    const localPort = Number.parseInt(local.slice(local.lastIndexOf(':') + 1), 16);
    if (localPort !== port || (tcp && f[3] !== TCP_LISTEN) || f[9] === '0') continue;
    inodes.push(f[9]!);
  }
  return inodes;
}

/** Whether one of `pids` holds a socket listening (TCP) or bound (UDP) on `port` in its own network namespace. */
export function portBound(pids: readonly number[], port: ReadyPort): boolean {
  const tables = port.protocol === 'tcp' ? ['tcp', 'tcp6'] : ['udp', 'udp6'];
  // Processes of one namespace share its tables: read them once per namespace.
  const byNamespace = new Map<string, Set<string>>();
  for (const pid of pids) {
    let inodes: Set<string> | undefined;
    try {
      const ns = readlinkSync(`/proc/${pid}/ns/net`);
      inodes = byNamespace.get(ns);
      if (!inodes) {
        inodes = new Set();
        for (const table of tables) {
          try {
            for (const inode of boundInodes(readFileSync(`/proc/${pid}/net/${table}`, 'utf8'), port.port, port.protocol === 'tcp')) inodes.add(inode);
          } catch {
            // No IPv6 in this kernel, or the process is gone.
          }
        }
        byNamespace.set(ns, inodes);
      }
    } catch {
      continue; // gone
    }
    if (inodes.size === 0) continue;
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (m && inodes.has(m[1]!)) return true;
      } catch {
        // closed meanwhile
      }
    }
  }
  return false;
}

/**
 * `roots` and every process descending from them now, by the parent pid in `/proc/PID/stat`: how
 * a cell's processes are found where there is no cgroup per cell (in-process executors). A child
 * that daemonised away from its parent is not found this way.
 */
export function processTree(roots: readonly number[]): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // The command name may hold spaces and parentheses: the fields after its last ")" are fixed.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(name)]);
    } catch {
      // gone
    }
  }
  const found = new Set<number>();
  const stack = [...roots];
  while (stack.length) {
    const pid = stack.pop()!;
    if (found.has(pid)) continue;
    found.add(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return [...found];
}

async function fileExists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false; // absent, or not visible to this user: not there as the cell sees it
  }
}

/**
 * Checks `watch` every `intervalMs` and on each `poke()` (the cell printed something) until it all
 * holds, then calls `onReady` once. `processes` lists the cell's processes now.
 */
export function watchReady(watch: ReadyWatch, processes: () => number[], onReady: () => void, intervalMs = 100): { poke(): void; stop(): void } {
  let done = false;
  let checking = false;
  let again = false;
  const check = async () => {
    if (done) return;
    if (checking) {
      again = true;
      return;
    }
    checking = true;
    try {
      const held = (!watch.port || portBound(processes(), watch.port)) && (!watch.file || (await fileExists(watch.file)));
      if (held && !done) {
        done = true;
        clearInterval(timer);
        onReady();
      }
    } catch {
      // The cell's processes could not be listed just now (its cgroup went away): not ready yet.
    } finally {
      checking = false;
    }
    if (again) {
      again = false;
      void check();
    }
  };
  const timer = setInterval(() => void check(), intervalMs);
  timer.unref?.();
  void check();
  return {
    poke: () => void check(),
    stop: () => {
      done = true;
      clearInterval(timer);
    },
  };
}
