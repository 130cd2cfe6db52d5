/**
 * `probebook export NOTEBOOK.ipynb --to html|pdf|md|ipynb [-o FILE] [options]` — a notebook as a
 * report (core/node/export/), or (`--to ipynb`) the notebook again with PNG fallbacks of its
 * figures, for Jupyter, GitHub and nbconvert. See docs/export.md.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { PaperSize, ReportFormat } from '../../common/export/report-data.ts';
import { parseNotebook, serializeNotebook } from '../../common/notebook/ipynb.ts';
import { checkTarget, exportNotebook } from '../export/export-notebook.ts';
import { addFigureFallbacks } from '../export/figure-fallbacks.ts';
import { readNotebookFile, writeNotebookFile } from '../notebook-file.ts';
import { TrustStore } from '../session/trust.ts';
import { readCommandArgs, UsageError } from './command-args.ts';

export const EXPORT_USAGE = `Usage: probebook export NOTEBOOK.ipynb --to html|pdf|md|ipynb [options]

Exports a notebook as a report: markdown, highlighted code and every output as the app draws it.

  --to html     one self-contained HTML file that works offline (interactive figures, tables,
                packet views, journeys; nothing is loaded from anywhere)
  --to pdf      the same report on paper, printed by Chromium (sudo apt install chromium)
  --to md       Markdown, with figures as PNG files in NAME_files/ beside it (Chromium draws them)
  --to ipynb    the notebook with a PNG beside each figure, so Jupyter, GitHub and nbconvert show
                it too (Chromium draws them); needs -o FILE or --inplace

Options:
  -o, --output FILE   where to write (default: the notebook's name with .html, .pdf or .md)
  --force             replace FILE if it exists (never the notebook itself)
  --inplace           --to ipynb only: add the fallbacks to NOTEBOOK.ipynb itself
  --no-code           leave out the code of code cells
  --no-outputs        leave out the outputs
  --paper a4|letter   PDF paper size (default a4)
  --author NAME       the author in the title block (default: the notebook's metadata.authors)
  --date TEXT         the date in the title block (default: today)
  -q, --quiet         say nothing when all went well
  -h, --help          show this help

Outputs of a notebook you have not trusted are drawn as the app draws them for it: HTML outputs
without styles, no script ever. Trust stays as it was: a notebook trusted before --to ipynb is
trusted after it, one not trusted stays so.
Exit status: 0 written, 1 the export failed (unreadable notebook, no Chromium, …), 2 bad usage.`;

const FORMATS = ['html', 'pdf', 'md', 'ipynb'] as const;
type ExportTo = (typeof FORMATS)[number];

interface ExportArgs {
  notebook: string;
  to: ExportTo;
  output?: string;
  force: boolean;
  inplace: boolean;
  code: boolean;
  outputs: boolean;
  paper: PaperSize;
  author?: string;
  date?: string;
  quiet: boolean;
  help?: boolean;
}

function parseExportArgs(argv: string[]): ExportArgs {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      to: { type: 'string' },
      output: { type: 'string', short: 'o' },
      force: { type: 'boolean' },
      inplace: { type: 'boolean' },
      'no-code': { type: 'boolean' },
      'no-outputs': { type: 'boolean' },
      paper: { type: 'string' },
      author: { type: 'string' },
      date: { type: 'string' },
      quiet: { type: 'boolean', short: 'q' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return { help: true } as ExportArgs;
  if (positionals.length !== 1) throw new UsageError(positionals.length ? `one notebook at a time (got ${positionals.length})` : 'no notebook given');
  const to = values.to;
  if (!to) throw new UsageError('--to is required: html, pdf, md or ipynb');
  if (!(FORMATS as readonly string[]).includes(to)) throw new UsageError(`--to must be html, pdf, md or ipynb (got "${to}")`);
  const paper = (values.paper ?? 'a4').toLowerCase();
  if (paper !== 'a4' && paper !== 'letter') throw new UsageError(`--paper must be a4 or letter (got "${values.paper}")`);
  if (values.inplace && to !== 'ipynb') throw new UsageError('--inplace is for --to ipynb only');
  if (values.inplace && values.output) throw new UsageError('give either --inplace or -o, not both');
  if (to === 'ipynb' && !values.inplace && !values.output) throw new UsageError('--to ipynb needs -o FILE or --inplace');
  if (to === 'ipynb' && (values['no-code'] || values['no-outputs'])) throw new UsageError('--no-code and --no-outputs are for reports, not --to ipynb');
  return {
    notebook: positionals[0]!,
    to: to as ExportTo,
    output: values.output,
    force: values.force ?? false,
    inplace: values.inplace ?? false,
    code: !values['no-code'],
    outputs: !values['no-outputs'],
    paper,
    author: values.author,
    date: values.date,
    quiet: values.quiet ?? false,
  };
}

export async function exportCommand(argv: string[], out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): Promise<number> {
  const args = readCommandArgs('export', EXPORT_USAGE, { stdout: out, stderr: err }, () => parseExportArgs(argv));
  if (typeof args === 'number') return args;
  try {
    if (args.to === 'ipynb') return await refreshFallbacks(args, err);
    const result = await exportNotebook({
      input: args.notebook,
      to: args.to as ReportFormat,
      output: args.output,
      force: args.force,
      showCode: args.code,
      showOutputs: args.outputs,
      paper: args.paper,
      author: args.author,
      date: args.date,
    });
    if (!args.quiet) {
      err.write(`wrote ${result.output}\n`);
      if (result.extraFiles.length) err.write(`wrote ${result.extraFiles.length} figure${result.extraFiles.length === 1 ? '' : 's'} beside it\n`);
    }
    return 0;
  } catch (error) {
    err.write(`probebook export: ${(error as Error).message}\n`);
    return 1;
  }
}

/** `--to ipynb`: the notebook with up-to-date PNG fallbacks, written atomically; its trust is kept as it was. */
async function refreshFallbacks(args: ExportArgs, err: NodeJS.WritableStream): Promise<number> {
  const input = resolve(args.notebook);
  const target = args.inplace ? input : resolve(args.output!);
  if (!args.inplace) checkTarget(input, target, args.force);
  const { notebook, fingerprint } = await readNotebookFile(input);
  const store = new TrustStore();
  const trusted = store.isTrusted(notebook);
  const drawn = await addFigureFallbacks(notebook);
  await writeNotebookFile(target, notebook, { expected: args.inplace ? fingerprint : undefined });
  // A fallback is drawn from the figure beside it: it changes nothing that runs, so trust follows
  // the notebook. Signed as the file reads back (a saved bundle's MIME types come in key order).
  if (trusted) store.trust(parseNotebook(serializeNotebook(notebook), target));
  if (!args.quiet) err.write(`wrote ${target} (${drawn} figure${drawn === 1 ? '' : 's'} drawn as PNG)\n`);
  return 0;
}
