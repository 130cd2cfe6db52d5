/**
 * The environment every cell starts from: a few variables of this process that describe the user
 * and locale, a PATH that finds root's tools, and nothing else (no NODE_OPTIONS, Electron or npm
 * variables leak into cells). The request's variables are added on top.
 */
import { homedir, userInfo } from 'node:os';

/** Where root's tools live; appended to PATH where a minimal PATH (sudo, pkexec) lacks them. */
const SYSTEM_PATH = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/** Variables passed through from this process: identity, locale, time zone, temp dir, proxies, the sudo caller. */
const PASSED = /^(HOME|USER|LOGNAME|LANG|LANGUAGE|LC_[A-Z_]+|TZ|TMPDIR|(?:http|https|ftp|all|no)_proxy|(?:HTTP|HTTPS|FTP|ALL|NO)_PROXY|SUDO_(?:USER|UID|GID))$/;

/**
 * The base environment. TERM is xterm-256color, not dumb: outputs render ANSI colour, and tools
 * asked for colour (`grep --color=always`, `ip -c`, `tput setaf`) give it instead of being silenced
 * by "dumb"; output is still a pipe, so tools that colour only a terminal stay plain.
 */
export function baseEnvironment(from: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(from)) if (value !== undefined && PASSED.test(name)) env[name] = value;
  env.HOME ??= safe(() => homedir()) ?? '/';
  env.USER ??= safe(() => userInfo().username) ?? 'root';
  env.LOGNAME ??= env.USER;
  if (!env.LANG && !env.LC_ALL) env.LANG = 'C.UTF-8'; // tools then print UTF-8, which the outputs decode
  env.PATH = sanePath(from.PATH);
  env.TERM = 'xterm-256color';
  env.SHELL = '/bin/bash';
  env.PROBEBOOK = '1';
  return env;
}

/** The base environment plus `extra` (extra wins, but for PATH: root's cells always get the sane one). */
export function cellEnvironment(extra: Record<string, string>, from?: NodeJS.ProcessEnv): Record<string, string> {
  // Reading process.env is slow (every key is a call into the environment); it is read once.
  const base = from ? baseEnvironment(from) : (ownBase ??= Object.freeze(baseEnvironment()));
  // A PATH from a notebook (`PATH=.`) would make `ip` the folder's own ./ip, run as root.
  return { ...base, ...extra, PATH: base.PATH! };
}

let ownBase: Readonly<Record<string, string>> | undefined;

/**
 * This process's PATH without relative entries (a root shell must not run `./ls`) or
 * node_modules/.bin (npm and npx put it first), plus the system directories it lacks.
 */
export function sanePath(path: string | undefined): string {
  const parts = (path ?? '').split(':').filter((p) => p.startsWith('/') && !p.includes('/node_modules/'));
  for (const p of SYSTEM_PATH) if (!parts.includes(p)) parts.push(p);
  return [...new Set(parts)].join(':');
}

function safe<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch {
    return undefined;
  }
}
