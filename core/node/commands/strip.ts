/**
 * `probebook strip NOTEBOOK.ipynb... [--check]` and `probebook strip --stdin`: removes outputs and
 * run metadata (core/common/notebook/strip.ts) for committing lab templates. With `--stdin` it is
 * a git clean filter: the notebook on stdin, stripped, on stdout. A file with nothing to strip is
 * not written (its formatting stays), and a file that is not a notebook is never written over.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parseNotebook, serializeNotebook } from '../../common/notebook/ipynb.ts';
import { stripNotebook } from '../../common/notebook/strip.ts';
import { readNotebookFile, writeNotebookFile } from '../notebook-file.ts';
import { readCommandArgs, UsageError } from './command-args.ts';

export const STRIP_USAGE = `Usage: probebook strip NOTEBOOK.ipynb... [options]
       probebook strip --stdin < IN.ipynb > OUT.ipynb

Removes what a run left in a notebook, for committing lab templates: outputs, execution counts,
cell timing (metadata.execution), output times, the recorded environment, widget state. Sources,
tags, cell options and other tools' metadata stay. A notebook with nothing to remove is not written.

Options:
  --check      write nothing; list notebooks that hold outputs or run metadata (exit 1 if any)
  --stdin      read one notebook from stdin and write it stripped to stdout (a git clean filter)
  -q, --quiet  say nothing when all went well
  -h, --help   show this help

As a git filter (outputs never reach a commit; the files in your folder keep theirs):
  git config filter.probebook.clean 'probebook strip --stdin'
  git config filter.probebook.smudge cat
  echo '*.ipynb filter=probebook' >> .gitattributes

Exit status: 0 done (nothing to strip, with --check), 1 a notebook held outputs (--check) or could
not be read or written, 2 bad usage.`;

export interface StripIo {
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
  stdin?: NodeJS.ReadableStream;
}

export async function stripCommand(argv: string[], io: StripIo = {}): Promise<number> {
  const out = io.stdout ?? process.stdout;
  const err = io.stderr ?? process.stderr;
  const args = readCommandArgs('strip', STRIP_USAGE, { stdout: out, stderr: err }, () => {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        check: { type: 'boolean' },
        stdin: { type: 'boolean' },
        quiet: { type: 'boolean', short: 'q' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help) return { ...values, positionals };
    if (values.stdin && positionals.length) throw new UsageError('--stdin reads one notebook from stdin: give no files with it');
    if (values.stdin && values.check) throw new UsageError('--check takes files, not --stdin');
    if (!values.stdin && positionals.length === 0) throw new UsageError('no notebook given (or --stdin)');
    return { ...values, positionals };
  });
  if (typeof args === 'number') return args;

  if (args.stdin) {
    const chunks: Buffer[] = [];
    for await (const chunk of io.stdin ?? process.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
    try {
      const text = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
      const notebook = parseNotebook(text, '<stdin>');
      const removed = stripNotebook(notebook);
      // Unchanged input goes through as it came (a filter must not reformat what it did not strip).
      out.write(removed.length ? serializeNotebook(notebook) : text);
      return 0;
    } catch (error) {
      err.write(`probebook strip: ${(error as Error).message}\n`);
      return 1;
    }
  }

  let status = 0;
  for (const file of args.positionals) {
    const path = resolve(file);
    try {
      const { notebook, fingerprint } = await readNotebookFile(path);
      const removed = stripNotebook(notebook);
      if (args.check) {
        if (removed.length) {
          status = 1;
          out.write(`${file}: holds ${removed.join(', ')}\n`);
        } else if (!args.quiet) out.write(`${file}: clean\n`);
        continue;
      }
      if (removed.length === 0) {
        if (!args.quiet) out.write(`${file}: nothing to strip\n`);
        continue;
      }
      await writeNotebookFile(path, notebook, {
        expected: fingerprint,
        originalKept: (kept) => err.write(`probebook strip: ${file} was nbformat 3; the original is kept as ${kept}\n`),
      });
      if (!args.quiet) out.write(`${file}: removed ${removed.join(', ')}\n`);
    } catch (error) {
      err.write(`probebook strip: ${(error as Error).message}\n`);
      status = 1;
    }
  }
  return status;
}
