/**
 * What a warm bash receives for one cell: a single line of bash that restores the notebook's
 * state (exports, exported functions, cwd), adds the cell's variables, arranges for the state to
 * be saved however the cell ends, and evals the cell's code. One line, because bash numbers the
 * lines of eval'd code from the line of the eval: the cell's line 3 then reads "cell: line 3".
 */

/** The last line of a complete state file (one cut short by SIGKILL lacks it). */
export const STATE_END = '#pb-end\n';

/** Names bash accepts for variables. */
export const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * What the warm bash runs: warm up, say it is ready, read fd 3 to its end and eval it. `read -N` reads in blocks (plain
 * `read` and `mapfile` read one byte per syscall from a pipe) and, unlike `$(</dev/fd/3)`, does
 * not reopen the pipe by path (which waits forever once the writer is gone).
 */
export const BOOTSTRAP = [
  // One byte the kernel sends at once: a new bash's first wake-up from a blocking read is slow
  // (1–2 ms in a VM); let that one be this, not the cell's.
  'IFS= read -r -N 1 __pb <&3',
  // The builtins every prelude runs, once, so the cell does not wait for their first-use page faults.
  `builtin eval 'builtin printf -v __pb %q x; builtin export -p; builtin declare -fx; builtin trap : EXIT; builtin trap - EXIT; builtin cd -- .' >/dev/null`,
  // Ready: fd 4 closed (the kernel prefers a shell that said so), then wait for the script on fd 3.
  'exec 4>&-',
  `IFS= read -r -N 2147483647 __pb <&3; eval "$__pb"`,
].join('; ');

export interface PreludeInput {
  /** The cell's code. */
  code: string;
  /** The notebook's folder: where its first cell runs, and the fallback when a saved folder is gone. */
  cwd: string;
  /** The state the notebook's previous cell saved (undefined for its first cell). */
  state?: string;
  /** Variables for this cell (already validated names). */
  env: Record<string, string>;
  /** Where this cell's state is saved, for the kernel to read once the cell ended. */
  stateFile: string;
}

/** The single line of bash a warm shell runs for one cell. */
export function buildPrelude(input: PreludeInput): string {
  // Saves exports, exported functions and the folder; its own status is the cell's.
  // `set +x` quietly, so a cell's xtrace does not show this; `>|` writes even under noclobber.
  const save = `{ __pb_rc=$?; builtin set +x; } 2>/dev/null; { builtin export -p; builtin declare -fx; builtin printf '__pb_dir=%q\\n' "$PWD"; builtin printf '${STATE_END.trim()}\\n'; } >| ${quote(input.stateFile)} 2>/dev/null; builtin exit "$__pb_rc"`;
  const warnGone = `builtin printf 'probebook: the folder %s of the previous cell is gone; this cell runs in %s\\n' "$__pb_dir" ${quote(input.cwd)} >&2`;
  const parts = [
    'exec 3<&-', // the cell's processes must not hold the control pipe
    'builtin unset -v __pb BASH_EXECUTION_STRING', // the bootstrap, not the user's
    input.state === undefined
      ? `builtin cd -- ${quote(input.cwd)} || builtin exit 1`
      : `__pb_state=${quote(input.state)}; builtin eval "$__pb_state"; builtin cd -- "$__pb_dir" 2>/dev/null || { ${warnGone}; builtin cd -- ${quote(input.cwd)}; }; builtin unset -v __pb_state __pb_dir`,
    ...Object.entries(input.env).map(([name, value]) => `builtin export ${name}=${quote(value)}`),
    // On exit, on `exit 3`, on SIGINT/SIGTERM (bash runs EXIT traps before dying of them).
    `builtin trap ${quote(save)} EXIT`,
    `__pb_code=${quote(input.code)}`,
    'builtin eval "builtin unset -v __pb_code; $__pb_code"',
    // Also here, for a cell that replaced the EXIT trap with its own.
    save,
  ];
  return parts.join('; ');
}

/**
 * Quotes `text` as one bash word on one line: bare when safe, '…' when printable, else $'…' with
 * escapes (newlines included, which keeps the prelude one line). NUL cannot be in a bash string; it is dropped.
 */
export function quote(text: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(text)) return text;
  // eslint-disable-next-line no-control-regex
  if (!/[\x00-\x1f\x7f]/.test(text)) return `'${text.replace(/'/g, `'\\''`)}'`;
  let out = "$'";
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (ch === '\\' || ch === "'") out += `\\${ch}`;
    else if (code === 0) continue;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}'`;
}
