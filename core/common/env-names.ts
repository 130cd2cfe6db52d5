/**
 * Environment names a notebook may not set for the processes it runs as root: each changes which
 * program runs or what code a shell, the dynamic loader or a runtime loads, so a parameter such as
 * `PATH=.` would turn `ip -br link` into the notebook folder's own `./ip`. One list, used by
 * parameter validation (cell-options.ts), `probebook run --param`, the runner and the kernel
 * host's request validation.
 *
 * @example
 * refusedEnvName('PATH') // 'it chooses which programs run'
 * refusedEnvName('IFACE') // undefined
 */

/** Exact names, each with why it is refused. */
const NAMES: Record<string, string> = {
  PATH: 'it chooses which programs run',
  SHELL: 'it chooses which shell tools start',
  HOME: "it chooses whose configuration files root's tools load (git, python, curl…)",
  ENV: 'sh and bash run the file it names',
  BASH_ENV: 'bash runs the file it names',
  BASH_LOADABLES_PATH: 'bash loads builtins from it',
  SHELLOPTS: "it changes the shell's options",
  BASHOPTS: "it changes the shell's options",
  PS4: 'bash runs the commands it contains when tracing',
  PROMPT_COMMAND: 'bash runs it',
  IFS: 'it changes how the shell splits words',
  CDPATH: 'it changes where `cd` goes',
  GLOBIGNORE: 'it changes what globs match',
  NODE_OPTIONS: 'node loads the code it names',
  NODE_PATH: 'node loads modules from it',
  CLASSPATH: 'java loads classes from it',
  JAVA_TOOL_OPTIONS: 'java loads the agents it names',
  _JAVA_OPTIONS: 'java loads the agents it names',
  TCLLIBPATH: 'tcl loads packages from it',
  GCONV_PATH: 'glibc loads character-set modules from it',
  GLIBC_TUNABLES: "it changes glibc's allocator and loader",
  LOCPATH: 'glibc loads locale data from it',
  NLSPATH: 'glibc loads message catalogs from it',
  HOSTALIASES: 'it redirects host name lookups',
  LOCALDOMAIN: 'it changes host name lookups',
  RES_OPTIONS: 'it changes host name lookups',
  OPENSSL_CONF: 'OpenSSL loads the engines its file names',
  OPENSSL_ENGINES: 'OpenSSL loads engines from it',
  OPENSSL_MODULES: 'OpenSSL loads providers from it',
  XDG_CONFIG_HOME: "it chooses whose configuration files root's tools load",
  XDG_CONFIG_DIRS: "it chooses whose configuration files root's tools load",
  PAGER: 'tools run the program it names',
  MANPAGER: 'man runs the program it names',
  LESSOPEN: 'less runs the command it contains',
  LESSCLOSE: 'less runs the command it contains',
  EDITOR: 'tools run the program it names',
  VISUAL: 'tools run the program it names',
  BROWSER: 'tools run the program it names',
  SUDO_ASKPASS: 'sudo runs the program it names',
  SSH_ASKPASS: 'ssh runs the program it names',
  PROBEBOOK: "it is Probebook's own",
};

/** Prefixes, each with why names starting with it are refused. */
const PREFIXES: [string, string][] = [
  ['LD_', 'the dynamic loader loads libraries it names'],
  ['BASH_FUNC_', 'bash imports it as a function'],
  ['PYTHON', 'python loads code it names'],
  ['PERL', 'perl loads code it names'],
  ['RUBY', 'ruby loads code it names'],
  ['GEM_', 'ruby loads gems from it'],
  ['LUA_', 'lua loads code it names'],
  ['GIT_', 'git runs programs it names'],
  ['SYSTEMD_', 'systemd tools run programs it names'],
  ['BPFTRACE_', 'it changes what bpftrace compiles and loads into the kernel'],
  ['PROBEBOOK_', "it is Probebook's own"],
];

/**
 * Why `name` may not be set in the environment of a process Probebook runs as root, or undefined
 * when it may. Names are matched exactly as written (environment names are case-sensitive).
 */
export function refusedEnvName(name: string): string | undefined {
  if (Object.hasOwn(NAMES, name)) return NAMES[name];
  for (const [prefix, why] of PREFIXES) if (name.startsWith(prefix)) return why;
  return undefined;
}

/** The refused names and prefixes (`LD_*`), for documentation and error messages. */
export function refusedEnvNames(): string[] {
  return [...Object.keys(NAMES), ...PREFIXES.map(([p]) => `${p}*`)];
}
