/**
 * Skips a test whose machine lacks a tool, root or a kernel feature — visibly: every skip is
 * recorded and `test/run.mjs` prints a summary of what was not tested and why. Under `CI=true`
 * a missing requirement fails the test instead: CI tests everything.
 */
import { appendFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import type { TestContext } from 'node:test';

const isCI = process.env.CI === 'true' || process.env.CI === '1';

/** Whether an executable is on PATH. */
export function hasTool(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v "$1"`, 'sh', name], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export const isRoot = typeof process.geteuid === 'function' && process.geteuid() === 0;

export interface Requirements {
  root?: boolean;
  tools?: string[];
  /** Extra checks: a reason string when the requirement is not met, or null. */
  check?: () => string | null;
}

/**
 * Returns true when the test may go on. Otherwise skips it (or fails it on CI) with the reason.
 *
 * @example
 * test('prints maps when interrupted', async (t) => {
 *   if (!needs(t, { root: true, tools: ['bpftrace'] })) return;
 *   …
 * });
 */
export function needs(t: TestContext, req: Requirements): boolean {
  const missing: string[] = [];
  if (req.root && !isRoot) missing.push('root');
  for (const tool of req.tools ?? []) if (!hasTool(tool)) missing.push(tool);
  const extra = req.check?.();
  if (extra) missing.push(extra);
  if (missing.length === 0) return true;
  const reason = `needs ${missing.join(', ')}`;
  if (isCI) {
    throw new Error(`${t.name}: ${reason} (CI=true: every test must run, so this is a failure)`);
  }
  const file = process.env.PROBEBOOK_SKIP_LOG;
  if (file) appendFileSync(file, `${JSON.stringify({ test: t.name, reason })}\n`);
  t.skip(reason);
  return false;
}
