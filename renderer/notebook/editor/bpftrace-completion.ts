/**
 * What to complete at a place in a bpftrace script, as plain data (the Monaco provider turns it
 * into suggestions): probe specs outside action blocks, maps, variables, builtins and functions
 * inside them. Probe names come from the host (`list_probes` → `bpftrace -l`).
 */
import { BUILTINS, FUNCTIONS, KEYWORDS, PROBE_ALIASES, PROBE_TYPES, SPECIAL_PROBES } from './bpftrace-vocabulary.ts';

export type CompletionContext =
  | { kind: 'none' }
  /** Writing a probe spec: `prefix` is what is typed of it, from `start` (an offset). */
  | { kind: 'probe'; prefix: string; start: number }
  /** Inside a predicate or an action block. */
  | { kind: 'expression'; prefix: string; start: number };

/** Where `offset` is in `text`: in a comment or string, a probe spec, or an expression. */
export function completionContext(text: string, offset: number): CompletionContext {
  let depth = 0;
  let inPredicate = false;
  let i = 0;
  while (i < offset) {
    const ch = text[i]!;
    const next = text[i + 1];
    if (ch === '/' && next === '/') {
      const end = text.indexOf('\n', i);
      if (end === -1 || end >= offset) return { kind: 'none' };
      i = end + 1;
      continue;
    }
    if (ch === '/' && next === '*') {
      const end = text.indexOf('*/', i + 2);
      if (end === -1 || end + 2 > offset) return { kind: 'none' };
      i = end + 2;
      continue;
    }
    if (ch === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"' && text[j] !== '\n') j += text[j] === '\\' ? 2 : 1;
      if (j >= offset) return { kind: 'none' };
      i = j + 1;
      continue;
    }
    if (ch === '{') depth++;
    else if (ch === '}') depth = Math.max(0, depth - 1);
    else if (ch === '/' && depth === 0) inPredicate = !inPredicate;
    i++;
  }
  const before = text.slice(0, offset);
  if (depth === 0 && !inPredicate) {
    const prefix = /[A-Za-z0-9_:*./+-]*$/.exec(before)![0];
    return { kind: 'probe', prefix, start: offset - prefix.length };
  }
  const prefix = /(?:[@$][A-Za-z_0-9]*|[A-Za-z_]\w*)$/.exec(before)?.[0] ?? '';
  return { kind: 'expression', prefix, start: offset - prefix.length };
}

export interface Suggestion {
  label: string;
  kind: 'probe-type' | 'probe' | 'map' | 'variable' | 'builtin' | 'function' | 'keyword';
  /** Text inserted (a Monaco snippet when `snippet`). */
  insert: string;
  snippet?: boolean;
  detail?: string;
  doc?: string;
  /** Complete again after inserting (a probe type's colon). */
  retrigger?: boolean;
}

/** Most probe names offered at once; the list is marked incomplete so typing narrows it. */
export const MAX_PROBE_SUGGESTIONS = 2000;

/** Probe suggestions for what is typed of a probe spec. */
export function probeSuggestions(prefix: string, probes: readonly string[]): { items: Suggestion[]; incomplete: boolean } {
  const colon = prefix.indexOf(':');
  if (colon === -1) {
    const items: Suggestion[] = [
      ...Object.entries(PROBE_TYPES).map(([type, doc]) => ({ label: `${type}:`, kind: 'probe-type' as const, insert: `${type}:`, doc, retrigger: true })),
      ...Object.entries(SPECIAL_PROBES).map(([name, doc]) => ({ label: name, kind: 'probe-type' as const, insert: name, doc })),
      ...Object.entries(PROBE_ALIASES).map(([alias, type]) => ({
        label: `${alias}:`,
        kind: 'probe-type' as const,
        insert: `${alias}:`,
        detail: `short for ${type}:`,
        retrigger: true,
      })),
    ];
    return { items, incomplete: false };
  }
  // `t:net:` means `tracepoint:net:`; `bpftrace -l` prints full type names.
  const typed = prefix.slice(0, colon);
  const type = PROBE_ALIASES[typed] ?? typed;
  const full = type + prefix.slice(colon);
  const matches: string[] = [];
  let incomplete = false;
  for (const p of probes) {
    if (!p.startsWith(full)) continue;
    if (matches.length >= MAX_PROBE_SUGGESTIONS) {
      incomplete = true;
      break;
    }
    matches.push(p);
  }
  // Keep the alias the user typed.
  const items = matches.map((p): Suggestion => {
    const text = typed === type ? p : typed + p.slice(type.length);
    return { label: text, kind: 'probe', insert: text, detail: PROBE_TYPES[type] ? type : undefined };
  });
  return { items, incomplete };
}

/** Suggestions inside a predicate or action: maps and variables of this script, builtins, functions, keywords. */
export function expressionSuggestions(prefix: string, text: string): Suggestion[] {
  if (prefix.startsWith('@')) {
    const maps = new Set(['@', ...[...text.matchAll(/@[A-Za-z_]\w*/g)].map((m) => m[0])]);
    return [...maps].map((m) => ({ label: m, kind: 'map', insert: m, detail: m === '@' ? 'the anonymous map' : 'map' }));
  }
  if (prefix.startsWith('$')) {
    const vars = new Set([...text.matchAll(/\$[A-Za-z_]\w*/g)].map((m) => m[0]));
    return [...vars].map((v) => ({ label: v, kind: 'variable', insert: v, detail: 'scratch variable' }));
  }
  return [
    ...Object.entries(BUILTINS).map(([name, doc]): Suggestion => ({ label: name, kind: 'builtin', insert: name, doc })),
    ...Object.entries(FUNCTIONS).map(
      ([name, f]): Suggestion => ({ label: name, kind: 'function', insert: f.snippet ?? `${name}($1)`, snippet: true, detail: f.signature, doc: f.doc }),
    ),
    ...KEYWORDS.map((k): Suggestion => ({ label: k, kind: 'keyword', insert: k })),
  ];
}

/** A hover text for the word at a place, or null. */
export function bpftraceHover(word: string): string | null {
  if (FUNCTIONS[word]) return `**${FUNCTIONS[word].signature}**\n\n${FUNCTIONS[word].doc}`;
  if (BUILTINS[word]) return `**${word}** (builtin)\n\n${BUILTINS[word]}`;
  if (PROBE_TYPES[word]) return `**${word}** probe\n\n${PROBE_TYPES[word]}`;
  if (PROBE_ALIASES[word]) return `**${word}**: short for \`${PROBE_ALIASES[word]}\``;
  if (SPECIAL_PROBES[word]) return `**${word}**\n\n${SPECIAL_PROBES[word]}`;
  return null;
}
