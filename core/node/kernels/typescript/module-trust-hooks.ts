/**
 * Module hooks (`module.register`) of a TypeScript context running as root: every file Node's ESM
 * loader resolves — a cell's import, and each import inside the modules it loads — is checked by
 * {@link ModuleTrust} before it loads. Runs in Node's hooks thread; bundled as
 * dist/node/ts-module-hooks.js.
 */
import { fileURLToPath } from 'node:url';
import { ModuleTrust, type ModuleTrustData } from './module-trust.ts';

interface Resolved {
  url: string;
}
type NextResolve = (specifier: string, context: unknown) => Promise<Resolved>;

let trust: ModuleTrust | undefined;

export function initialize(data: ModuleTrustData): void {
  trust = new ModuleTrust(data);
}

export async function resolve(specifier: string, context: unknown, nextResolve: NextResolve): Promise<Resolved> {
  const resolved = await nextResolve(specifier, context);
  if (!resolved.url.startsWith('file:')) return resolved;
  // Without its data, refuse everything rather than load unchecked.
  const refusal = trust ? trust.refusal(fileURLToPath(resolved.url), specifier) : `Refused to load ${resolved.url} as root: the module check was not set up.`;
  if (refusal) throw new Error(refusal);
  return resolved;
}
