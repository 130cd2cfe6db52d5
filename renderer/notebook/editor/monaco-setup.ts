/**
 * Monaco, set up for Probebook's cells. This module is loaded with a dynamic import after the
 * notebook has painted (it is most of the page's code). It registers only the languages cells
 * use — shell, TypeScript (with its worker), markdown and our bpftrace mode — the editor
 * features worth having in a cell, the workers (served from `workers/` beside the page, so the
 * CSP's `worker-src 'self'` holds), and light/dark themes from the shared colour table.
 */
import * as monaco from 'monaco-editor/editor/editor.api.js';
import 'monaco-editor/editor/browser/coreCommands.js';
import 'monaco-editor/editor/browser/widget/codeEditor/codeEditorWidget.js';
import 'monaco-editor/editor/contrib/bracketMatching/browser/bracketMatching.js';
import 'monaco-editor/editor/contrib/caretOperations/browser/caretOperations.js';
import 'monaco-editor/editor/contrib/clipboard/browser/clipboard.js';
import 'monaco-editor/editor/contrib/codeAction/browser/codeActionContributions.js';
import 'monaco-editor/editor/contrib/comment/browser/comment.js';
import 'monaco-editor/editor/contrib/contextmenu/browser/contextmenu.js';
import 'monaco-editor/editor/contrib/cursorUndo/browser/cursorUndo.js';
import 'monaco-editor/editor/contrib/find/browser/findController.js';
import 'monaco-editor/editor/contrib/folding/browser/folding.js';
import 'monaco-editor/editor/contrib/gotoError/browser/gotoError.js';
import 'monaco-editor/editor/contrib/hover/browser/hoverContribution.js';
import 'monaco-editor/editor/contrib/indentation/browser/indentation.js';
import 'monaco-editor/editor/contrib/linesOperations/browser/linesOperations.js';
import 'monaco-editor/editor/contrib/links/browser/links.js';
import 'monaco-editor/editor/contrib/multicursor/browser/multicursor.js';
import 'monaco-editor/editor/contrib/parameterHints/browser/parameterHints.js';
import 'monaco-editor/editor/contrib/smartSelect/browser/smartSelect.js';
import 'monaco-editor/editor/contrib/snippet/browser/snippetController2.js';
import 'monaco-editor/editor/contrib/suggest/browser/suggestController.js';
import 'monaco-editor/editor/contrib/tokenization/browser/tokenization.js';
import 'monaco-editor/editor/contrib/wordHighlighter/browser/wordHighlighter.js';
import 'monaco-editor/editor/contrib/wordOperations/browser/wordOperations.js';
import 'monaco-editor/editor/common/standaloneStrings.js';
import 'monaco-editor/languages/definitions/shell/register.js';
import 'monaco-editor/languages/definitions/typescript/register.js';
import 'monaco-editor/languages/definitions/markdown/register.js';
import { typescriptDefaults } from 'monaco-editor/languages/features/typescript/register.js';
import { BPFTRACE_LANGUAGE_ID, bpftraceConfiguration, bpftraceMonarch } from './bpftrace-language.ts';
import { bpftraceHover, completionContext, expressionSuggestions, probeSuggestions, type Suggestion } from './bpftrace-completion.ts';
import { NOTEBOOK_API_TYPES } from '../../../core/common/notebook-api/api-types.ts';
import { TOKEN_COLORS } from './token-colors.ts';

export { monaco };
export type Monaco = typeof monaco;

/** Languages of cells, as Monaco ids. */
export const EDITOR_LANGUAGES = ['shell', 'typescript', 'markdown', BPFTRACE_LANGUAGE_ID, 'plaintext'] as const;

declare global {
  interface Window {
    MonacoEnvironment?: { getWorker(moduleId: string, label: string): Worker };
  }
}

self.MonacoEnvironment = {
  getWorker(_moduleId: string, label: string): Worker {
    const file = label === 'typescript' || label === 'javascript' ? 'ts.worker.js' : 'editor.worker.js';
    return new Worker(new URL(`workers/${file}`, document.baseURI), { type: 'module', name: label });
  },
};

export interface EditorServices {
  /** Probe names for completion (`bpftrace -l`); may reject with an error for people. */
  listProbes(): Promise<string[]>;
}

let services: EditorServices = { listProbes: async () => [] };

export function setEditorServices(s: EditorServices): void {
  services = s;
}

monaco.languages.register({ id: BPFTRACE_LANGUAGE_ID, extensions: ['.bt'], aliases: ['bpftrace', 'bt'] });
monaco.languages.setMonarchTokensProvider(BPFTRACE_LANGUAGE_ID, bpftraceMonarch);
monaco.languages.setLanguageConfiguration(BPFTRACE_LANGUAGE_ID, bpftraceConfiguration);

const KINDS: Record<Suggestion['kind'], monaco.languages.CompletionItemKind> = {
  'probe-type': monaco.languages.CompletionItemKind.Module,
  probe: monaco.languages.CompletionItemKind.Event,
  map: monaco.languages.CompletionItemKind.Variable,
  variable: monaco.languages.CompletionItemKind.Variable,
  builtin: monaco.languages.CompletionItemKind.Constant,
  function: monaco.languages.CompletionItemKind.Function,
  keyword: monaco.languages.CompletionItemKind.Keyword,
};

monaco.languages.registerCompletionItemProvider(BPFTRACE_LANGUAGE_ID, {
  triggerCharacters: [':', '@', '$'],
  async provideCompletionItems(model, position) {
    const text = model.getValue();
    const offset = model.getOffsetAt(position);
    const context = completionContext(text, offset);
    if (context.kind === 'none') return { suggestions: [] };
    const start = model.getPositionAt(context.start);
    const range = new monaco.Range(start.lineNumber, start.column, position.lineNumber, position.column);
    let items: Suggestion[];
    let incomplete = false;
    if (context.kind === 'probe') {
      let probes: string[] = [];
      if (context.prefix.includes(':')) {
        try {
          probes = await services.listProbes();
        } catch (error) {
          // Completion still offers probe types; the reason shows as the one suggestion's detail.
          console.warn('Probebook: probe names are not available:', error);
          return {
            suggestions: [
              {
                label: 'Probe names are not available',
                kind: monaco.languages.CompletionItemKind.Issue,
                insertText: '',
                range,
                detail: (error as Error).message,
                sortText: '~',
              },
            ],
          };
        }
      }
      ({ items, incomplete } = probeSuggestions(context.prefix, probes));
    } else items = expressionSuggestions(context.prefix, text);
    return {
      incomplete,
      suggestions: items.map((s) => ({
        label: s.label,
        kind: KINDS[s.kind],
        insertText: s.insert,
        insertTextRules: s.snippet ? monaco.languages.CompletionItemInsertTextRule.InsertAsSnippet : undefined,
        detail: s.detail,
        documentation: s.doc,
        range,
        command: s.retrigger ? { id: 'editor.action.triggerSuggest', title: 'Suggest probes' } : undefined,
      })),
    };
  },
});

monaco.languages.registerHoverProvider(BPFTRACE_LANGUAGE_ID, {
  provideHover(model, position) {
    const word = model.getWordAtPosition(position);
    const text = word && bpftraceHover(word.word);
    if (!word || !text) return null;
    return { range: new monaco.Range(position.lineNumber, word.startColumn, position.lineNumber, word.endColumn), contents: [{ value: text }] };
  },
});

// TypeScript cells share one context per notebook: names declared in one cell are used in later
// ones, top-level await is allowed, and Node modules resolve at run time, not here.
typescriptDefaults.setCompilerOptions({
  target: 99 /* ESNext */,
  module: 99 /* ESNext */,
  moduleResolution: 2 /* NodeJs */,
  allowNonTsExtensions: true,
  strict: false,
  lib: ['esnext'],
});
// Completions and docs for the notebook API (display, table, plot, cell, run, $…).
typescriptDefaults.addExtraLib(NOTEBOOK_API_TYPES, 'file:///probebook/notebook-api.d.ts');
typescriptDefaults.setDiagnosticsOptions({
  noSemanticValidation: false,
  noSyntaxValidation: false,
  // 1375/1378: top-level await in a script; 2304: a name from another cell; 2307: a Node module;
  // 2451/2300: a name declared again by re-running a cell; 7016: a package without types.
  diagnosticCodesToIgnore: [1375, 1378, 2304, 2307, 2451, 2300, 7016, 2792],
});

function defineThemes(): void {
  const rules = (dark: boolean): monaco.editor.ITokenThemeRule[] =>
    TOKEN_COLORS.map((c) => ({ token: c.token, foreground: (dark ? c.dark : c.light).slice(1), fontStyle: c.fontStyle }));
  monaco.editor.defineTheme('probebook-light', {
    base: 'vs',
    inherit: true,
    rules: rules(false),
    colors: {
      'editor.background': '#f6f8fa',
      'editor.lineHighlightBackground': '#eaeef280',
      'editorLineNumber.foreground': '#8c959f',
      'editorLineNumber.activeForeground': '#57606a',
      'editorGutter.background': '#f6f8fa',
      'editor.selectionBackground': '#b6d6fd',
      'editorCursor.foreground': '#0969da',
      focusBorder: '#0969da00',
    },
  });
  monaco.editor.defineTheme('probebook-dark', {
    base: 'vs-dark',
    inherit: true,
    rules: rules(true),
    colors: {
      'editor.background': '#252526',
      'editor.lineHighlightBackground': '#2f2f3080',
      'editorLineNumber.foreground': '#6e7681',
      'editorLineNumber.activeForeground': '#c6c6c6',
      'editorGutter.background': '#252526',
      'editorCursor.foreground': '#aeafad',
      focusBorder: '#00000000',
    },
  });
}
defineThemes();

/** Loads the tokenizers of every cell language, so static highlighting can use them at once. */
export async function warmTokenizers(): Promise<void> {
  await Promise.all(EDITOR_LANGUAGES.map((lang) => monaco.editor.colorize('', lang, {})));
}

export function setEditorTheme(theme: 'light' | 'dark'): void {
  monaco.editor.setTheme(theme === 'dark' ? 'probebook-dark' : 'probebook-light');
}
