/** Jupyter's own nbformat (Debian's python3-nbformat) for the tests that check files against it. */
import { execFileSync } from 'node:child_process';

/** Why the tests cannot use nbformat here, or null when they can (for `needs(t, { check })`). */
export function nbformatMissing(): string | null {
  try {
    execFileSync('/usr/bin/python3', ['-c', 'import nbformat'], { stdio: 'ignore' });
    return null;
  } catch {
    return 'python3-nbformat (sudo apt install python3-nbformat)';
  }
}

/** Runs a Python snippet with /usr/bin/python3 (nbformat importable); its stdout. */
export function python(script: string, ...args: string[]): string {
  return execFileSync('/usr/bin/python3', ['-c', script, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Jupyter's validator on a 4.x file: throws with its message when the file is not valid. */
export function validateWithNbformat(path: string): void {
  python('import nbformat,sys; nbformat.validate(nbformat.read(sys.argv[1], as_version=4))', path);
}
