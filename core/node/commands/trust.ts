/**
 * `probebook trust NOTEBOOK.ipynb... [--check]` — Jupyter's `jupyter trust`: records notebooks as
 * trusted by this user on this machine (session/trust.ts), as answering "Trust" in the app does.
 * `probebook run` uses it to sign what it wrote for the user who ran sudo.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { readNotebookFile } from '../notebook-file.ts';
import { TrustStore, rootCells } from '../session/trust.ts';
import { readCommandArgs, UsageError } from './command-args.ts';

export const TRUST_USAGE = `Usage: probebook trust NOTEBOOK.ipynb... [options]

Trusts notebooks for you on this machine, as answering "Trust" in the app does: their root cells
run without the trust question and their outputs may use every renderer. Read a notebook's code
before you trust it. Notebooks that probebook run wrote for you are trusted already.

Options:
  --check      only say whether each notebook is trusted (exit 1 when one is not)
  -q, --quiet  say nothing when all went well
  -h, --help   show this help

Exit status: 0 done (or all trusted, with --check), 1 a notebook is not trusted (--check) or could
not be read, 2 bad usage.`;

export async function trustCommand(argv: string[], out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): Promise<number> {
  const args = readCommandArgs('trust', TRUST_USAGE, { stdout: out, stderr: err }, () => {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { check: { type: 'boolean' }, quiet: { type: 'boolean', short: 'q' }, help: { type: 'boolean', short: 'h' } },
    });
    if (!values.help && positionals.length === 0) throw new UsageError('no notebook given');
    return { ...values, positionals };
  });
  if (typeof args === 'number') return args;

  const store = new TrustStore();
  let status = 0;
  for (const file of args.positionals) {
    const path = resolve(file);
    try {
      const { notebook } = await readNotebookFile(path);
      const trusted = store.isTrusted(notebook);
      if (args.check) {
        if (!trusted) status = 1;
        if (!args.quiet || !trusted) out.write(`${path}: ${trusted ? 'trusted' : `not trusted (${rootCells(notebook).length} root cells)`}\n`);
        continue;
      }
      if (!trusted) store.trust(notebook);
      if (!args.quiet) out.write(`${path}: ${trusted ? 'already trusted' : 'trusted'}\n`);
    } catch (error) {
      err.write(`probebook trust: ${(error as Error).message}\n`);
      status = 1;
    }
  }
  return status;
}
