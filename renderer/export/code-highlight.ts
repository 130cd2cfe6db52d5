/**
 * Code of exported reports, highlighted with highlight.js (bash, TypeScript, and bpftrace from the
 * editor's own vocabulary). Monaco's tokenizer cannot be taken out of Monaco (2.7 MB in every
 * report). highlight.js escapes the code it wraps in spans; the result still passes DOMPurify.
 */
import hljs from 'highlight.js/lib/core';
import bash from 'highlight.js/lib/languages/bash';
import typescript from 'highlight.js/lib/languages/typescript';
import type { LanguageFn } from 'highlight.js';
import { BUILTINS, FUNCTIONS, KEYWORDS, PROBE_ALIASES, PROBE_TYPES, SPECIAL_PROBES } from '../notebook/editor/bpftrace-vocabulary.ts';
import { sanitizeForPage } from '../outputs/html/sanitize.ts';

const bpftrace: LanguageFn = (api) => {
  const probeTypes = [...Object.keys(PROBE_TYPES), ...Object.keys(PROBE_ALIASES)].sort((a, b) => b.length - a.length);
  return {
    name: 'bpftrace',
    keywords: { keyword: KEYWORDS, built_in: [...Object.keys(BUILTINS), ...Object.keys(FUNCTIONS)], meta: Object.keys(SPECIAL_PROBES) },
    contains: [
      api.C_LINE_COMMENT_MODE,
      api.C_BLOCK_COMMENT_MODE,
      api.QUOTE_STRING_MODE,
      api.C_NUMBER_MODE,
      { className: 'meta', begin: /^\s*#\s*(include|define|ifdef|ifndef|endif|undef)\b.*$/ },
      { className: 'title', begin: new RegExp(`\\b(?:${probeTypes.join('|')}):[^\\s,{}]*`) },
      { className: 'variable', begin: /@\w*/ },
      { className: 'params', begin: /\$\w+/ },
    ],
  };
};

hljs.registerLanguage('shell', bash);
hljs.registerLanguage('typescript', typescript);
hljs.registerLanguage('bpftrace', bpftrace);

/** `source` as highlighted nodes for `language` (plain text for a language highlight.js does not know). */
export function highlightCode(source: string, language: string | null): DocumentFragment | string {
  if (!language || !hljs.getLanguage(language)) return source;
  try {
    return sanitizeForPage(hljs.highlight(source, { language, ignoreIllegals: true }).value, false);
  } catch {
    return source;
  }
}
