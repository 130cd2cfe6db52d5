/**
 * `probebook bpf-sync NOTEBOOK.ipynb... [--check]` — refreshes the copies of script-library files
 * (bpf/*.bt) that bpftrace cells embed (`metadata.probebook.file`): the file is the one source of
 * truth, the cell the copy that runs and that trust signs (docs/bpf-library.md).
 */
import { relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { staleCells } from '../bpf/bpf-library.ts';
import { readNotebookFile, writeNotebookFile } from '../notebook-file.ts';
import { readCommandArgs, UsageError } from './command-args.ts';

export const BPF_SYNC_USAGE = `Usage: probebook bpf-sync NOTEBOOK.ipynb... [options]

Copies each script-library file a bpftrace cell names in metadata.probebook.file (like
"../bpf/flows.bt", from the notebook's folder) into that cell, so the cell runs the file's current
program. A changed cell changes the notebook: read it, then trust it again (probebook trust).

Options:
  --check      change nothing; exit 1 when a cell's copy differs from its file
  -h, --help   show this help

Exit status: 0 done (or all copies current, with --check), 1 a copy differs (--check) or a file
could not be read, 2 bad usage.`;

export async function bpfSyncCommand(
  argv: string[],
  out: NodeJS.WritableStream = process.stdout,
  err: NodeJS.WritableStream = process.stderr,
): Promise<number> {
  const args = readCommandArgs('bpf-sync', BPF_SYNC_USAGE, { stdout: out, stderr: err }, () => {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { check: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    });
    if (!values.help && positionals.length === 0) throw new UsageError('no notebook given');
    return { ...values, positionals };
  });
  if (typeof args === 'number') return args;
  let status = 0;
  for (const file of args.positionals) {
    const path = resolve(file);
    try {
      const { notebook } = await readNotebookFile(path);
      const stale = await staleCells(notebook, path);
      for (const s of stale) {
        const name = (s.cell.metadata.probebook as { name?: string }).name;
        out.write(`${relative(process.cwd(), path)}: cell ${s.index + 1}${name ? ` (${name})` : ''} ${args.check ? 'differs from' : 'now holds'} ${s.file}\n`);
        if (!args.check) s.cell.source = s.text;
      }
      if (args.check && stale.length) status = 1;
      else if (stale.length) await writeNotebookFile(path, notebook);
    } catch (error) {
      err.write(`probebook bpf-sync: ${file}: ${(error as Error).message}\n`);
      status = 1;
    }
  }
  return status;
}
