/**
 * What a cell's command line says about the tcpdump it runs: its options (read the way tcpdump
 * 4.99's getopt_long reads them, GNU permutation included) and its filter expression, so the view
 * can name the filter a BPF dump came from and the text parser can be told what the flags mean.
 * Only a plain reading of shell words: quotes and backslashes, `;`, `|`, `&&`, `||`, `&`,
 * redirections and comments; no expansions.
 */
import type { TcpdumpTextOptions } from './tcpdump-text.ts';

/** Short options that take an argument (tcpdump 4.99's SHORTOPTS). */
const SHORT_WITH_ARGUMENT = new Set('BcCEFGijmMQrsTVwWyzZ');
/** Long options (GNU getopt_long, prefixes allowed) and whether they take an argument. */
const LONG_OPTIONS: Record<string, { short?: string; argument: boolean }> = {
  'buffer-size': { short: 'B', argument: true },
  'list-interfaces': { short: 'D', argument: false },
  'list-remote-interfaces': { argument: true },
  help: { short: 'h', argument: false },
  interface: { short: 'i', argument: true },
  'monitor-mode': { short: 'I', argument: false },
  'time-stamp-type': { short: 'j', argument: true },
  'list-time-stamp-types': { short: 'J', argument: false },
  micro: { argument: false },
  nano: { argument: false },
  'time-stamp-precision': { argument: true },
  'dont-verify-checksums': { short: 'K', argument: false },
  'list-data-link-types': { short: 'L', argument: false },
  'no-optimize': { short: 'O', argument: false },
  'no-promiscuous-mode': { short: 'p', argument: false },
  direction: { short: 'Q', argument: true },
  'snapshot-length': { short: 's', argument: true },
  'absolute-tcp-sequence-numbers': { short: 'S', argument: false },
  'packet-buffered': { short: 'U', argument: false },
  linktype: { short: 'y', argument: true },
  'immediate-mode': { argument: false },
  'debug-filter-parser': { short: 'Y', argument: false },
  'relinquish-privileges': { short: 'Z', argument: true },
  count: { argument: false },
  'fp-type': { argument: false },
  number: { short: '#', argument: false },
  print: { argument: false },
  'print-sampling': { argument: true },
  version: { argument: false },
};
/** Commands that run the next word as a command (`sudo tcpdump`, `ip netns exec ns1 tcpdump`). */
const WRAPPERS = new Set([
  'sudo',
  'exec',
  'timeout',
  'nice',
  'ionice',
  'stdbuf',
  'env',
  'command',
  'ip',
  'nsenter',
  'setsid',
  'unbuffer',
  'chrt',
  'taskset',
  'time',
]);

export interface TcpdumpCommand {
  /** Options in order: a short letter (`d`, `t`, `#`) or a long name (`nano`), with its argument. */
  options: { name: string; value?: string }[];
  /** The filter expression: the words that are not options, joined by spaces as tcpdump joins them. */
  expression?: string;
}

/** Splits a command line into simple commands, each a list of words (quotes removed, redirections dropped). */
function simpleCommands(commandLine: string): string[][] {
  const commands: string[][] = [[]];
  let word: string | undefined;
  const endWord = () => {
    if (word !== undefined) commands.at(-1)!.push(word);
    word = undefined;
  };
  for (let i = 0; i < commandLine.length; i++) {
    const c = commandLine[i]!;
    if (c === "'") {
      const close = commandLine.indexOf("'", i + 1);
      const end = close < 0 ? commandLine.length : close;
      word = (word ?? '') + commandLine.slice(i + 1, end);
      i = end;
    } else if (c === '"') {
      word ??= '';
      for (i++; i < commandLine.length && commandLine[i] !== '"'; i++) {
        if (commandLine[i] === '\\' && '"\\$`'.includes(commandLine[i + 1] ?? '')) i++;
        word += commandLine[i] ?? '';
      }
    } else if (c === '\\') {
      if (commandLine[i + 1] !== '\n') word = (word ?? '') + (commandLine[i + 1] ?? '');
      i++;
    } else if (c === '#' && word === undefined) {
      const nl = commandLine.indexOf('\n', i);
      i = nl < 0 ? commandLine.length : nl - 1;
    } else if (/[;&|\n()]/.test(c)) {
      endWord();
      if (commands.at(-1)!.length > 0) commands.push([]);
    } else if (/\s/.test(c)) {
      endWord();
    } else if ((c === '>' || c === '<') && (word === undefined || /^\d+$/.test(word))) {
      // A redirection: `2>&1`, `> out.txt`, `>>log`, `<in`; its target is not an argument.
      word = undefined;
      if (commandLine[i + 1] === c || commandLine[i + 1] === '&') i++;
      while (/[ \t]/.test(commandLine[i + 1] ?? '')) i++;
      while (i + 1 < commandLine.length && !/[\s;&|()<>]/.test(commandLine[i + 1]!)) i++;
    } else {
      word = (word ?? '') + c;
    }
  }
  endWord();
  return commands.filter((words) => words.length > 0);
}

/** The arguments after `tcpdump` in the first command that runs it (directly or through a wrapper). */
function tcpdumpArguments(commandLine: string): string[] | undefined {
  for (const words of simpleCommands(commandLine)) {
    const start = words.findIndex((w) => !/^[A-Za-z_]\w*=/.test(w));
    const first = words[start];
    if (first === undefined) continue;
    const at = words.findIndex((w, i) => i >= start && w.split('/').pop() === 'tcpdump');
    const head = first.split('/').pop()!;
    if (at >= 0 && (at === start || WRAPPERS.has(head))) return words.slice(at + 1);
  }
  return undefined;
}

/** Reads tcpdump's options and filter expression from a command line; undefined when it runs no tcpdump. */
export function parseTcpdumpCommand(commandLine: string): TcpdumpCommand | undefined {
  const args = tcpdumpArguments(commandLine);
  if (!args) return undefined;
  const options: TcpdumpCommand['options'] = [];
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      rest.push(...args.slice(i + 1));
      break;
    }
    if (arg.startsWith('--')) {
      const [given, inline] = arg.slice(2).split(/=(.*)/s) as [string, string | undefined];
      const matches = Object.keys(LONG_OPTIONS).filter((name) => name === given || name.startsWith(given));
      const name = matches.includes(given) ? given : matches.length === 1 ? matches[0]! : given;
      const spec = LONG_OPTIONS[name];
      const option: { name: string; value?: string } = { name: spec?.short ?? name };
      if (spec?.argument) option.value = inline ?? args[++i];
      options.push(option);
    } else if (arg.startsWith('-') && arg.length > 1) {
      for (let j = 1; j < arg.length; j++) {
        const letter = arg[j]!;
        if (SHORT_WITH_ARGUMENT.has(letter)) {
          options.push({ name: letter, value: j + 1 < arg.length ? arg.slice(j + 1) : args[++i] });
          break;
        }
        options.push({ name: letter });
      }
    } else {
      rest.push(arg);
    }
  }
  const command: TcpdumpCommand = { options };
  if (rest.length > 0) command.expression = rest.join(' ');
  return command;
}

/**
 * The filter expression of the tcpdump a command line runs (`tcpdump -d 'tcp port 80'` →
 * `tcp port 80`), or undefined: no tcpdump, no expression, or one read from a file (`-F`).
 */
export function filterExpressionOf(commandLine: string): string | undefined {
  const command = parseTcpdumpCommand(commandLine);
  if (!command || command.options.some((o) => o.name === 'F')) return undefined;
  return command.expression;
}

/** What the flags tell the text parser: where hex bytes start, -ttt or -ttttt, -A. */
export function textOptionsOf(command: TcpdumpCommand): TcpdumpTextOptions {
  const count = (name: string) => command.options.filter((o) => o.name === name).length;
  const options: TcpdumpTextOptions = {};
  const x = count('x');
  const X = count('X');
  // -X wins over -x (print.c): each prints from the link layer when given twice.
  if (X > 0) options.bytesFrom = X >= 2 ? 'link' : 'network';
  else if (x > 0) options.bytesFrom = x >= 2 ? 'link' : 'network';
  else if (count('A') > 0) options.ascii = true;
  const t = count('t');
  if (t === 3 || t === 5) options.deltas = t === 5 ? 'first' : 'previous';
  return options;
}
