/**
 * A small long-lived Perl process that forks warm shells on request and reports their exit, so
 * the kernel host (a Node process of 50 MB) never forks one itself: a Node `spawn` blocks its
 * event loop for 1.5–7 ms a cell in a VM (the fork of its address space), in the way of the cell
 * that just ended and of the next one. Perl forks a few MB in a fraction of that, on its own CPU.
 *
 * Each child is set up as a Node-spawned cell is (cell-process.ts): the leader of a new session
 * and process group, stdin /dev/null, stdout and stderr real pipes (FIFOs, child-stdio.ts), its
 * script pipe on fd 3 and its ready pipe on fd 4, the same program, arguments, environment and
 * folder for every child (told once, on its first line). The caller opens every end it keeps, and one of each end the child
 * gets, before asking: the zygote opens the child's ends (never waiting: the other end is open),
 * forks, and says `pid N`; the caller then closes its copies of the child's ends, so an end of
 * file means the child (and whatever it started) closed them. `exit N STATUS` says how a child
 * ended (the raw wait status).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants as fsConstants } from 'node:fs';
import { constants } from 'node:os';
import { delimiter, join } from 'node:path';

const SCRIPT = String.raw`
use strict; use warnings; use POSIX ();
my @argv;
# SIGCHLD only wakes the select below; children are reaped around it. A SIGCHLD that lands just
# before select (Perl runs handlers between its ops) is caught by its timeout instead.
$SIG{CHLD} = sub {};
sub reap { while ((my $pid = waitpid(-1, POSIX::WNOHANG())) > 0) { my $st = $?; syswrite(STDOUT, "exit $pid $st\n"); } }
my $in = '';
my $rin = ''; vec($rin, fileno(STDIN), 1) = 1;
for (;;) {
  reap();
  my $ready = select(my $rout = $rin, undef, undef, 0.1);
  reap();
  next if $ready <= 0;
  my $n = sysread(STDIN, $in, 65536, length $in);
  if (!defined $n) { next if $!{EINTR}; last; }
  last if $n == 0;
  while ($in =~ s/^([^\n]*)\n//) {
    if (!@argv) { @argv = map { pack 'H*', $_ } split / /, $1; next; }
    my ($out, $err, $ctl, $rdy) = split / /, $1;
    my @fds = (POSIX::open($out, POSIX::O_WRONLY()), POSIX::open($err, POSIX::O_WRONLY()),
               POSIX::open($ctl, POSIX::O_RDONLY()), POSIX::open($rdy, POSIX::O_WRONLY()));
    if (grep { !defined } @fds) { my $e = "$!"; POSIX::close($_) for grep { defined } @fds; syswrite(STDOUT, "fail cannot open its pipes: $e\n"); next; }
    my $pid = fork();
    if (!defined $pid) { my $e = "$!"; POSIX::close($_) for @fds; syswrite(STDOUT, "fail fork: $e\n"); next; }
    if ($pid == 0) {
      $SIG{CHLD} = 'DEFAULT';
      POSIX::setsid();
      POSIX::dup2($fds[$_], 40 + $_) for 0 .. 3;
      my $null = POSIX::open('/dev/null', POSIX::O_RDONLY());
      POSIX::dup2($null, 0);
      POSIX::dup2(40 + $_, 1 + $_) for 0 .. 3;
      POSIX::close($_) for 5 .. 63;
      exec { $argv[0] } @argv or POSIX::_exit(127);
    }
    POSIX::close($_) for @fds;
    syswrite(STDOUT, "pid $pid\n");
  }
}
`;

/** The pipes of one child, by path; the caller holds an end of each open. */
export interface ZygotePipes {
  stdout: string;
  stderr: string;
  control: string;
  ready: string;
}

export interface ZygoteExit {
  code: number | null;
  signal: string | null;
}

const SIGNAL_NAMES = new Map(Object.entries(constants.signals).map(([name, n]) => [n as number, name]));

/** Where `file` would be found on `path` (as execvp finds it), or undefined. */
function findProgram(file: string, path: string): string | undefined {
  const candidates = file.includes('/') ? [file] : path.split(delimiter).map((dir) => join(dir, file));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, fsConstants.X_OK);
      return candidate;
    } catch {
      // next
    }
  }
  return undefined;
}

export class Zygote {
  readonly #child: ChildProcess;
  /** Spawn requests in order, answered in order. */
  readonly #asked: { resolve(pid: number): void; reject(error: Error): void }[] = [];
  /** Exits by pid, whether the caller asked yet or not. */
  readonly #exits = new Map<number, ZygoteExit>();
  readonly #waiting = new Map<number, (exit: ZygoteExit) => void>();
  /** Children not yet reported gone. */
  readonly #live = new Set<number>();
  #gone: Error | undefined;

  /** Starts the zygote for `argv` (program first), or returns undefined where Perl is missing. */
  static start(argv: string[], options: { cwd: string; env: Record<string, string> }): Zygote | undefined {
    const perl = findProgram('perl', options.env.PATH ?? '/usr/bin:/bin');
    if (!perl || !findProgram(argv[0]!, options.env.PATH ?? '')) return undefined;
    return new Zygote(perl, argv, options);
  }

  private constructor(perl: string, argv: string[], options: { cwd: string; env: Record<string, string> }) {
    this.#child = spawn(perl, ['-e', SCRIPT], { cwd: options.cwd, env: options.env, stdio: ['pipe', 'pipe', 'inherit'] });
    this.#child.stdin!.on('error', () => undefined); // its exit says the rest
    // The program and its arguments first, each in hex (any byte but NUL, on one line).
    this.#child.stdin!.write(`${argv.map((arg) => Buffer.from(arg).toString('hex')).join(' ')}\n`);
    this.#child.once('error', (error) => this.#end(error));
    this.#child.once('exit', (code, signal) => this.#end(new Error(`the shell zygote exited (${signal ?? `code ${code}`})`)));
    let rest = '';
    this.#child.stdout!.setEncoding('latin1').on('data', (text: string) => {
      const lines = (rest + text).split('\n');
      rest = lines.pop()!;
      for (const line of lines) this.#onLine(line);
    });
  }

  /** Whether it still takes requests. */
  get alive(): boolean {
    return this.#gone === undefined;
  }

  /** Forks a child on `pipes`; resolves with its pid once it holds its ends. */
  fork(pipes: ZygotePipes): Promise<number> {
    if (this.#gone) return Promise.reject(this.#gone);
    return new Promise((resolve, reject) => {
      this.#asked.push({ resolve, reject });
      this.#child.stdin!.write(`${pipes.stdout} ${pipes.stderr} ${pipes.control} ${pipes.ready}\n`);
    });
  }

  /** How child `pid` ended. */
  exited(pid: number): Promise<ZygoteExit> {
    const known = this.#exits.get(pid);
    if (known) {
      this.#exits.delete(pid);
      return Promise.resolve(known);
    }
    return new Promise((resolve) => this.#waiting.set(pid, resolve));
  }

  /** Whether child `pid` was forked and has not been reported gone. */
  running(pid: number): boolean {
    return this.#live.has(pid);
  }

  /** Stops the zygote (its children are the caller's to stop). */
  dispose(): void {
    this.#child.kill('SIGKILL');
  }

  #onLine(line: string): void {
    const [kind, a, b] = line.split(' ', 3);
    if (kind === 'pid') {
      const pid = Number(a);
      if (!this.#exits.has(pid)) this.#live.add(pid); // a child can end before its pid is said
      this.#asked.shift()?.resolve(pid);
    } else if (kind === 'fail') {
      this.#asked.shift()?.reject(new Error(line.slice(5)));
    } else if (kind === 'exit') {
      const status = Number(b);
      const signal = status & 0x7f;
      this.#report(Number(a), signal === 0 ? { code: (status >> 8) & 0xff, signal: null } : { code: null, signal: SIGNAL_NAMES.get(signal) ?? `SIG${signal}` });
    }
  }

  #report(pid: number, exit: ZygoteExit): void {
    this.#live.delete(pid);
    const waiting = this.#waiting.get(pid);
    this.#waiting.delete(pid);
    if (waiting) waiting(exit);
    else this.#exits.set(pid, exit);
  }

  /** Gone: pending requests fail; children it can no longer report are killed and reported so. */
  #end(error: Error): void {
    if (this.#gone) return;
    this.#gone = error;
    for (const asked of this.#asked.splice(0)) asked.reject(error);
    for (const pid of [...this.#live]) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // gone already
      }
      this.#report(pid, { code: null, signal: 'SIGKILL' });
    }
  }
}
