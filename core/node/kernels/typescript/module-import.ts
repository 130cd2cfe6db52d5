/**
 * `import` and `import()` in a TypeScript cell. A cell resolves like a module file in its
 * notebook's folder: Node built-ins; `./` and `../` paths from that folder; absolute paths and
 * `file:` URLs; packages from the folder's `node_modules` and its parents'. A package not found
 * there comes from Probebook's own. What cannot be found fails naming the specifier and where it
 * was looked for. A context running as root loads only files no other user could have written
 * (module-trust.ts), checked before each load: see {@link guardRootImports}.
 */
import { existsSync, statSync } from 'node:fs';
import Module, { isBuiltin, register } from 'node:module';
import { dirname, isAbsolute, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import vm from 'node:vm';
import { installRootFrom, ModuleTrust } from './module-trust.ts';

type Importer = (specifier: string, options?: ImportCallOptions) => Promise<unknown>;

const importers = new Map<string, Importer>();
const here = dirname(fileURLToPath(import.meta.url));

/** Set in a context running as root: whose files may load, and whether the ESM hooks are in place yet. */
let guard: { trust: ModuleTrust; hooks: boolean } | undefined;

/**
 * In a context running as root (user cells are not), checks every module file before it loads,
 * also those a loaded package imports or requires itself: CommonJS at once, ESM through module
 * hooks registered before the first import that is not a Node built-in (starting their thread
 * takes ~60 ms). A file someone else could have written fails the import with a message saying
 * which, whose it is and what to do.
 */
export function guardRootImports(invokingUid: number): void {
  if (process.geteuid?.() !== 0 || guard) return;
  const trust = new ModuleTrust({ invokingUid, installRoot: installRootFrom(here) });
  guard = { trust, hooks: false };
  // Node 20's module hooks do not see require(): wrap the resolver every require goes through, nested ones too.
  const cjs = Module as unknown as { _resolveFilename(this: unknown, request: string, ...rest: unknown[]): string };
  const resolveFilename = cjs._resolveFilename;
  cjs._resolveFilename = function (request, ...rest) {
    const file = resolveFilename.call(this, request, ...rest);
    const refusal = isAbsolute(file) ? trust.refusal(file, request) : null;
    if (refusal) throw new Error(refusal);
    return file;
  };
}

/** Starts the ESM hooks of {@link guardRootImports}, once; a failure fails the import (it is tried again next time). */
function startModuleHooks(active: NonNullable<typeof guard>): void {
  if (active.hooks) return;
  const hooks = import.meta.url.endsWith('.ts')
    ? join(here, 'module-trust-hooks.ts')
    : [join(here, 'ts-module-hooks.js'), join(here, '../ts-module-hooks.js')].find((f) => existsSync(f));
  if (!hooks)
    throw new Error(
      `The module check of root cells (ts-module-hooks.js beside ${here}) is missing, so root cells can import only Node built-ins: run npm run build.`,
    );
  register(pathToFileURL(hooks), { data: active.trust.data });
  active.hooks = true;
}

/** Throws the guard's refusal of `path` (named as the cell named it, before Node follows links), if any. */
function refuseUntrusted(path: string, specifier: string): void {
  const refusal = guard?.trust.refusal(path, specifier);
  if (refusal) throw new Error(refusal);
}

/** An `import()` whose referrer is a (never written) file in `folder`, so Node's own loader resolves from there. */
function importerIn(folder: string): Importer {
  let importer = importers.get(folder);
  if (importer) return importer;
  const loader = vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER;
  if (!loader)
    throw new Error(`import of modules and packages in TypeScript cells needs Node 20.12 or later (this is ${process.version}); Node built-ins work`);
  const load = new vm.Script('(specifier, options) => import(specifier, options)', {
    filename: join(folder, '[notebook cell]'),
    importModuleDynamically: loader,
  }).runInThisContext() as Importer;
  importer = (specifier, options) => {
    const emitWarning = process.emitWarning;
    // Node's once-per-process "experimental" notice for this loader, emitted as import() starts, would land in the cell's output.
    process.emitWarning = () => undefined;
    try {
      return load(specifier, options);
    } finally {
      process.emitWarning = emitWarning;
    }
  };
  importers.set(folder, importer);
  return importer;
}

/** The file a path-like specifier names (as a URL relative to the folder, as Node reads it), or undefined for other kinds. */
function fileOf(specifier: string, folder: string): string | undefined {
  if (!/^(\.{1,2}(\/|$)|\/|file:)/.test(specifier)) return undefined;
  return fileURLToPath(new URL(specifier, pathToFileURL(join(folder, '/'))));
}

/** `pkg/sub` → `pkg`, `@scope/pkg/sub` → `@scope/pkg`; undefined for `#imports` and URLs such as `data:`. */
function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith('#') || /^[a-z][a-z0-9+.-]*:/i.test(specifier)) return undefined;
  return specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/');
}

/** The `node_modules` folders Node searches from `folder` up to `/`, nearest first. */
function nodeModulesFrom(folder: string): string[] {
  const found: string[] = [];
  for (let dir = folder; ; dir = dirname(dir)) {
    found.push(join(dir, 'node_modules'));
    if (dirname(dir) === dir) return found;
  }
}

function missingFile(specifier: string, file: string): Error {
  const candidates = ['.js', '.mjs', '.cjs', '.json', '/index.js', '/index.mjs'].map((ext) => file + ext).filter((f) => existsSync(f) && statSync(f).isFile());
  const hint = candidates.length ? `; did you mean '${specifier}${candidates[0]!.slice(file.length)}'? import needs the file's full name` : '';
  const base = /^\.{1,2}(\/|$)/.test(specifier) ? " (a relative path starts at the notebook's folder)" : '';
  return new Error(`Cannot find module '${specifier}': there is no ${file}${base}${hint}`);
}

/** Loads what a cell's `import` or `import()` names, resolved from the notebook's `folder`. */
export async function importInCell(what: unknown, options: ImportCallOptions | undefined, folder: string): Promise<unknown> {
  const specifier = String(what); // as import() itself does, so a URL object works
  if (isBuiltin(specifier)) return import(specifier);
  if (guard) startModuleHooks(guard);
  const file = fileOf(specifier, folder);
  if (file !== undefined) {
    if (!existsSync(file)) throw missingFile(specifier, file);
    refuseUntrusted(file, specifier);
    return importerIn(folder)(specifier, options);
  }
  const name = packageOf(specifier);
  // #imports, data: URLs and the like: Node's loader says what it makes of them.
  if (name === undefined) return importerIn(folder)(specifier, options);
  const found = nodeModulesFrom(folder)
    .map((dir) => join(dir, name))
    .find((dir) => existsSync(dir));
  if (found) {
    refuseUntrusted(found, specifier);
    return importerIn(folder)(specifier, options);
  }
  if (nodeModulesFrom(here).some((dir) => existsSync(join(dir, name)))) return import(specifier, options);
  throw new Error(
    `Cannot find package '${name}': install it next to the notebook (npm install ${name} in ${folder}); looked in ${join(folder, 'node_modules')}, the node_modules of each folder above it, then Probebook's own packages`,
  );
}
