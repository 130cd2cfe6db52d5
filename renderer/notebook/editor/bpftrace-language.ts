/**
 * bpftrace as a Monaco language: a Monarch tokenizer (probes, predicates, action blocks, maps,
 * scratch variables, builtins, functions, keywords, comments, strings, numbers) and its
 * configuration (comments, brackets, indentation).
 */
import type { languages } from 'monaco-editor';
import { BUILTINS, FUNCTIONS, KEYWORDS, PROBE_ALIASES, PROBE_TYPES, SPECIAL_PROBES } from './bpftrace-vocabulary.ts';

export const BPFTRACE_LANGUAGE_ID = 'bpftrace';

const probeTypes = [...Object.keys(PROBE_TYPES), ...Object.keys(PROBE_ALIASES)].sort((a, b) => b.length - a.length).join('|');

export const bpftraceMonarch: languages.IMonarchLanguage = {
  defaultToken: '',
  tokenPostfix: '.bpftrace',
  keywords: KEYWORDS,
  builtins: Object.keys(BUILTINS),
  functions: Object.keys(FUNCTIONS),
  specialProbes: Object.keys(SPECIAL_PROBES),
  operators: /->|==|!=|<=|>=|&&|\|\||<<|>>|\+\+|--|[-+*/%&|^]=|[=<>!~?:+\-*/%&|^]/,
  tokenizer: {
    // Outside any action block: probe specs, predicates, preprocessor lines.
    root: [
      { include: '@whitespace' },
      [/^\s*#\s*(include|define|ifdef|ifndef|endif|undef)\b.*$/, 'keyword.directive'],
      // A probe spec: type, colon, the rest up to whitespace, a comma or a brace.
      [new RegExp(`\\b(${probeTypes})(:)([^\\s,{}]*)`), ['type.probe', 'delimiter.probe', 'tag.probe']],
      [/\b[A-Z]+\b/, { cases: { '@specialProbes': 'type.probe', '@default': 'identifier' } }],
      [/\b[a-z_]\w*\b/, { cases: { '@keywords': 'keyword', '@default': 'identifier' } }],
      [/\//, { token: 'delimiter.predicate', next: '@predicate' }],
      [/\{/, { token: 'delimiter.curly', next: '@action' }],
      [/[},]/, 'delimiter'],
      { include: '@expression' },
    ],
    predicate: [{ include: '@whitespace' }, [/\//, { token: 'delimiter.predicate', next: '@pop' }], { include: '@expression' }],
    action: [
      { include: '@whitespace' },
      [/\{/, { token: 'delimiter.curly', next: '@push' }],
      [/\}/, { token: 'delimiter.curly', next: '@pop' }],
      { include: '@expression' },
    ],
    expression: [
      [/@[A-Za-z_0-9]*/, 'variable.map'],
      [/\$\d+/, 'variable.parameter'],
      [/\$[A-Za-z_]\w*/, 'variable.scratch'],
      [/\bs?arg\d+\b/, 'variable.predefined'],
      [/[A-Za-z_]\w*(?=\s*\()/, { cases: { '@functions': 'predefined.function', '@keywords': 'keyword', '@default': 'identifier' } }],
      [/[A-Za-z_]\w*/, { cases: { '@keywords': 'keyword', '@builtins': 'variable.predefined', '@default': 'identifier' } }],
      [/0[xX][0-9a-fA-F_]+/, 'number.hex'],
      [/\d[\d_]*(\.\d+)?([eE]\d+)?(ns|us|ms|s|m|h|d)?\b/, 'number'],
      [/"/, { token: 'string.quote', next: '@string' }],
      [/'[^'\\]'/, 'string'],
      [/[;,.]/, 'delimiter'],
      [/[()[\]]/, '@brackets'],
      [/@operators/, 'operator'],
    ],
    string: [
      [/[^\\"%]+/, 'string'],
      [/%[-+ #0]*\d*(\.\d+)?(l{0,2}|h{0,2})[diouxXscpfegrR%]/, 'string.format'],
      [/%/, 'string'],
      [/\\(x[0-9a-fA-F]{1,2}|[0-7]{1,3}|.)/, 'string.escape'],
      [/"/, { token: 'string.quote', next: '@pop' }],
    ],
    whitespace: [
      [/[ \t\r\n]+/, ''],
      [/\/\*/, 'comment', '@comment'],
      [/\/\/.*$/, 'comment'],
    ],
    comment: [
      [/[^/*]+/, 'comment'],
      [/\*\//, 'comment', '@pop'],
      [/[/*]/, 'comment'],
    ],
  },
};

export const bpftraceConfiguration: languages.LanguageConfiguration = {
  comments: { lineComment: '//', blockComment: ['/*', '*/'] },
  brackets: [
    ['{', '}'],
    ['[', ']'],
    ['(', ')'],
  ],
  autoClosingPairs: [
    { open: '{', close: '}' },
    { open: '[', close: ']' },
    { open: '(', close: ')' },
    { open: '"', close: '"', notIn: ['string', 'comment'] },
    { open: '/*', close: ' */', notIn: ['string'] },
  ],
  surroundingPairs: [
    { open: '{', close: '}' },
    { open: '(', close: ')' },
    { open: '[', close: ']' },
    { open: '"', close: '"' },
  ],
  indentationRules: { increaseIndentPattern: /\{[^}"']*$/, decreaseIndentPattern: /^\s*\}/ },
  wordPattern: /(-?\d*\.\d\w*)|([@$]?[A-Za-z_]\w*)|@/,
};
