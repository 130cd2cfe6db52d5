/**
 * Lint rules for the Electron layer that Electronegativity does not know, on the TypeScript AST:
 * window webPreferences are the secure literals, the preload never hands out `ipcRenderer`, the
 * port goes to the app origin only, and main listens to IPC only through its one hub.
 */
import ts from 'typescript';

export interface LintFinding {
  file: string;
  line: number;
  rule: string;
  message: string;
}

/** The webPreferences every window must spell out, as literals. */
const REQUIRED_WEB_PREFERENCES: Readonly<Record<string, boolean>> = {
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  webSecurity: true,
};
/** Other webPreferences a window may set; anything else (webviewTag, experimentalFeatures…) is a finding. */
const ALLOWED_WEB_PREFERENCES = new Set([
  ...Object.keys(REQUIRED_WEB_PREFERENCES),
  'preload',
  'spellcheck',
  'additionalArguments',
  'backgroundThrottling',
  'partition',
]);
/** What the preload may do with `ipcRenderer`: call these, nothing else. */
const IPC_RENDERER_METHODS = new Set(['invoke', 'on']);
/** The only file that may register IPC handlers in main. */
const IPC_HUB_FILE = 'electron/main/ipc.ts';

function parse(file: string, source: string): ts.SourceFile {
  return ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
}

function walk(node: ts.Node, visit: (n: ts.Node) => void): void {
  visit(node);
  node.forEachChild((child) => walk(child, visit));
}

function finding(sf: ts.SourceFile, node: ts.Node, rule: string, message: string): LintFinding {
  return { file: sf.fileName, line: sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1, rule, message };
}

function propertyName(p: ts.ObjectLiteralElementLike): string | undefined {
  return p.name && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) ? p.name.text : undefined;
}

/** Every `webPreferences` object is a literal with the required literals and nothing unexpected. */
function checkWebPreferences(sf: ts.SourceFile, out: LintFinding[]): void {
  walk(sf, (node) => {
    if (ts.isNewExpression(node) && node.expression.getText(sf) === 'BrowserWindow') {
      const options = node.arguments?.[0];
      const hasPrefs = options && ts.isObjectLiteralExpression(options) && options.properties.some((p) => propertyName(p) === 'webPreferences');
      if (!hasPrefs) out.push(finding(sf, node, 'web-preferences', 'new BrowserWindow without a literal webPreferences object'));
    }
    if (!ts.isPropertyAssignment(node) || propertyName(node) !== 'webPreferences') return;
    if (!ts.isObjectLiteralExpression(node.initializer)) {
      out.push(finding(sf, node, 'web-preferences', 'webPreferences must be an object literal'));
      return;
    }
    const props = new Map<string, ts.ObjectLiteralElementLike>();
    for (const p of node.initializer.properties) {
      const name = propertyName(p);
      if (name === undefined) out.push(finding(sf, p, 'web-preferences', 'webPreferences may not use spreads or computed keys'));
      else {
        props.set(name, p);
        if (!ALLOWED_WEB_PREFERENCES.has(name)) out.push(finding(sf, p, 'web-preferences', `webPreferences.${name} is not allowed`));
      }
    }
    for (const [name, value] of Object.entries(REQUIRED_WEB_PREFERENCES)) {
      const p = props.get(name);
      const kind = value ? ts.SyntaxKind.TrueKeyword : ts.SyntaxKind.FalseKeyword;
      if (!p || !ts.isPropertyAssignment(p) || p.initializer.kind !== kind) {
        out.push(finding(sf, node, 'web-preferences', `webPreferences.${name} must be the literal ${value}`));
      }
    }
  });
}

/** `ipcRenderer` is only ever called (invoke/on), never passed, returned, exposed or stored. */
function checkPreload(sf: ts.SourceFile, out: LintFinding[]): void {
  let exposures = 0;
  walk(sf, (node) => {
    if (ts.isIdentifier(node) && node.text === 'ipcRenderer') {
      const parent = node.parent;
      if (ts.isImportSpecifier(parent)) return;
      if (ts.isPropertyAccessExpression(parent) && parent.expression === node && IPC_RENDERER_METHODS.has(parent.name.text)) return;
      out.push(finding(sf, node, 'preload-ipc', `ipcRenderer used as a value (${parent.getText(sf).slice(0, 60)})`));
    }
    if (ts.isCallExpression(node) && node.expression.getText(sf) === 'contextBridge.exposeInMainWorld') {
      exposures++;
      const value = node.arguments[1];
      const literal = value && ts.isIdentifier(value) ? initializerOf(sf, value.text) : value;
      if (!literal || !ts.isObjectLiteralExpression(literal)) {
        out.push(finding(sf, node, 'preload-expose', 'exposeInMainWorld must expose an object literal of named functions'));
        return;
      }
      for (const p of literal.properties) {
        const ok =
          ts.isMethodDeclaration(p) ||
          (ts.isPropertyAssignment(p) &&
            (ts.isArrowFunction(p.initializer) ||
              ts.isFunctionExpression(p.initializer) ||
              ts.isLiteralExpression(p.initializer) ||
              /^[A-Z_]+$/.test(p.initializer.getText(sf)) ||
              p.initializer.getText(sf) === 'process.platform'));
        if (!ok) out.push(finding(sf, p, 'preload-expose', `exposed member ${propertyName(p) ?? '?'} is not a function or constant`));
      }
    }
    if (ts.isCallExpression(node) && node.expression.getText(sf) === 'window.postMessage') {
      const target = node.arguments[1];
      if (target?.getText(sf) !== 'APP_ORIGIN') {
        out.push(finding(sf, node, 'preload-port', 'window.postMessage must target APP_ORIGIN, never "*"'));
      }
    }
  });
  if (exposures !== 1) out.push({ file: sf.fileName, line: 1, rule: 'preload-expose', message: `exposeInMainWorld called ${exposures} times, expected once` });
}

function initializerOf(sf: ts.SourceFile, name: string): ts.Expression | undefined {
  let found: ts.Expression | undefined;
  walk(sf, (node) => {
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.name.text === name) found = node.initializer;
  });
  return found;
}

/** Main registers IPC only in the hub, and only as invoke handlers; no window is ever allowed open. */
function checkMain(sf: ts.SourceFile, out: LintFinding[]): void {
  walk(sf, (node) => {
    if (ts.isPropertyAccessExpression(node) && node.expression.getText(sf) === 'ipcMain') {
      const method = node.name.text;
      if (method !== 'handle' && method !== 'removeHandler') out.push(finding(sf, node, 'ipc-hub', `ipcMain.${method}: the hub uses invoke handlers only`));
      else if (sf.fileName !== IPC_HUB_FILE) out.push(finding(sf, node, 'ipc-hub', `ipcMain.${method} outside ${IPC_HUB_FILE}`));
    }
    if (ts.isPropertyAssignment(node) && propertyName(node) === 'action' && node.initializer.getText(sf) === "'allow'") {
      out.push(finding(sf, node, 'window-open', 'setWindowOpenHandler must deny'));
    }
  });
}

/** Lints Electron sources (paths relative to the repository root). */
export function lintElectron(files: { path: string; source: string }[]): LintFinding[] {
  const out: LintFinding[] = [];
  for (const { path, source } of files) {
    const sf = parse(path, source);
    checkWebPreferences(sf, out);
    checkMain(sf, out);
    if (path.startsWith('electron/preload/') && /preload\.ts$/.test(path)) checkPreload(sf, out);
  }
  return out;
}
