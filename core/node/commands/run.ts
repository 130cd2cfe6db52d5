/**
 * `probebook run NOTEBOOK.ipynb [--out FILE | --inplace] [--param NAME=VALUE]... [--allow-errors] [--as-user]`
 *
 * Runs every code cell headless, shows progress on stderr and writes the notebook with its
 * outputs. Root comes as in the app: one kernel host per run, elevated once (root → `sudo -n` →
 * `pkexec`); when that fails nothing runs, unless `--as-user` runs every cell as the user on
 * purpose. The file written is signed for the user who ran it (trusted, as an app save after a
 * trusted run is). Exit 0 when every cell succeeded, 1 when one failed (the file is still written)
 * or root could not be had, 2 for bad usage or an unreadable notebook.
 */
import { statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Notebook } from '../../common/notebook/model.ts';
import { notebookOptions, parameterNameProblem } from '../../common/notebook/cell-options.ts';
import { readNotebookFile, writeNotebookFile, type FileFingerprint } from '../notebook-file.ts';
import { notebookAsSaved, upgradedFrom } from '../../common/notebook/ipynb.ts';
import { runEnvironment, withEnvironment } from '../doctor/environment.ts';
import { iperf3ChartTransform } from '../run/iperf3-chart-transform.ts';
import { journeyTransform } from '../run/journey-transform.ts';
import { rulesTransform } from '../run/rules-transform.ts';
import { tcpdumpTransform } from '../run/tcpdump-transform.ts';
import { addFallbacksBeforeSave } from '../export/figure-fallbacks.ts';
import { NotebookRunner, type CellOutcome } from '../run/notebook-runner.ts';
import type { CellExecutor } from '../run/executor.ts';
import { KernelHostClient } from '../kernel-host/kernel-host-client.ts';
import { bundledEntry, ElevationError, invokingUser, userEnv, type ElevationMethod } from '../kernel-host/elevation.ts';
import { trustReview } from '../../common/notebook/trust-review.ts';
import { TrustStore } from '../session/trust.ts';
import { execa } from 'execa';
import { allRan } from '../run/notebook-runner.ts';
import { CleanupLedger } from '../session/cleanup-ledger.ts';
import { parseSize } from '../run/sizes.ts';
import { readCommandArgs, UsageError } from './command-args.ts';
import { ProgressReporter } from './run-progress.ts';

export const RUN_USAGE = `Usage: probebook run NOTEBOOK.ipynb [options]

Runs every code cell of the notebook, in order, and saves the outputs.

Options:
  --out FILE            write the notebook with its outputs to FILE
  --inplace             write the outputs back into NOTEBOOK.ipynb
  --param NAME=VALUE    override a notebook parameter (repeatable); shell cells see it as $NAME,
                        bpftrace cells as a positional parameter ($1, $2, … in declaration order)
  --allow-errors        go on after a failed cell (exit status is still 1)
  --as-user             run every cell as you, root cells too (no sudo or pkexec is tried)
  --output-limit SIZE   bytes of each cell's stream kept in the file (default 4MiB; e.g. 512KiB, 10MB)
  --grace DURATION      time between SIGINT, SIGTERM and SIGKILL when stopping a cell (default 3s)
  --record-hostname     also record this machine's name in the run's environment (metadata.probebook.environment)
  -q, --quiet           no progress on stderr
  -h, --help            show this help

Root cells get root once per run, as in the app: directly when you are root, else through
passwordless sudo for the kernel host, else pkexec (polkit). Cells marked "user" run as you. If
root cannot be had, nothing runs (exit 1) and you are told how to get it.

Without --out or --inplace, outputs are printed as they arrive and no file is written. A file
written is trusted for you, as the app trusts the outputs of a run.
Exit status: 0 all cells succeeded, 1 a cell failed, the run was interrupted or root could not be
had, 2 bad usage or unreadable notebook.`;

export interface RunCommandDeps {
  executor?: CellExecutor;
  ledger?: CleanupLedger;
  stderr?: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stdout?: NodeJS.WritableStream;
}

export async function runCommand(argv: string[], deps: RunCommandDeps = {}): Promise<number> {
  const stderr = deps.stderr ?? process.stderr;
  const stdout = deps.stdout ?? process.stdout;
  const parsed = readCommandArgs('run', RUN_USAGE, { stdout, stderr }, () => parseRunArgs(argv));
  if (typeof parsed === 'number') return parsed;

  const path = resolve(parsed.notebook);
  // The kernel host starts while the notebook is read (it takes a second Node's start-up) when
  // that asks nobody anything: as root or --as-user. sudo and pkexec wait for a notebook that opens.
  const quietStart = parsed.asUser || process.geteuid?.() === 0;
  const hostStart = deps.executor || !quietStart || !isFile(path) ? undefined : startKernelHost(parsed, stderr);
  let notebook: Notebook;
  let fingerprint: FileFingerprint;
  try {
    ({ notebook, fingerprint } = await readNotebookFile(path));
  } catch (error) {
    stderr.write(`probebook run: ${(error as Error).message}\n`);
    void hostStart?.then((started) => ('executor' in started ? started.executor.dispose() : undefined));
    return 2;
  }

  const converted = upgradedFrom(notebook);
  if (converted && !parsed.quiet) {
    stderr.write(
      `probebook run: ${parsed.notebook} is nbformat ${converted}: upgraded to 4.5 as Jupyter does${parsed.inplace ? '; the original is kept beside it when it is written' : ''}\n`,
    );
  }
  const declared = notebookOptions(notebook).parameters ?? {};
  for (const name of Object.keys(parsed.params)) {
    if (!(name in declared)) {
      stderr.write(`probebook run: warning: --param ${name} is not declared in the notebook's metadata.probebook.parameters; cells still see it.\n`);
    }
  }

  const ledger = deps.ledger ?? new CleanupLedger();
  const pending = ledger.pendingCleanups(path);
  let executor: CellExecutor;
  try {
    // Cells run in a kernel host, contained (cgroups, reaper, marker sweep) and audited as in the app.
    executor = deps.executor ?? (await kernelHostFor(notebook, pending.length > 0, await (hostStart ?? startKernelHost(parsed, stderr))));
  } catch (error) {
    if (error instanceof ElevationError) {
      stderr.write(`probebook run: nothing ran. ${error.message}\n  - or run every cell as yourself, on purpose: probebook run --as-user ${parsed.notebook}\n`);
    } else {
      stderr.write(`probebook run: could not start the kernel host: ${(error as Error).message}\n`);
    }
    return 1;
  }
  const codeCells = notebook.cells.filter((c) => c.cellType === 'code');
  const progress = new ProgressReporter(stderr, codeCells, { quiet: parsed.quiet });
  const echo = parsed.out === undefined && !parsed.inplace ? new OutputEcho(stdout, stderr) : undefined;
  const runner = new NotebookRunner({
    notebook,
    notebookPath: path,
    notebookKey: randomUUID(),
    executor,
    params: parsed.params,
    graceMs: parsed.graceMs,
    ledger,
    transforms: [iperf3ChartTransform, tcpdumpTransform, rulesTransform, journeyTransform],
    // The file keeps `outputLimit` per stream; memory never needs more than that for a headless run.
    memoryLimitBytes: parsed.outputLimit + 64 * 1024,
    events: {
      started: (cellId) => progress.started(cellId),
      ended: (cellId, outcome: CellOutcome) => progress.ended(cellId, outcome),
      skipped: (cellId) => progress.skipped(cellId),
      readiness: (cellId, readiness) => progress.readiness(cellId, readiness),
      output: (cellId, edit) => echo?.write(cellId, edit),
    },
  });

  // Ctrl-C stops the running cells the way an interrupt does (bpftrace prints its maps), then the
  // file is still written; a second Ctrl-C ends the process at once.
  let interrupts = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    stderr.write(`\nprobebook run: ${signal}: stopping the running cells (press Ctrl-C again to quit now)\n`);
    runner.interrupt();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const target = parsed.inplace ? path : parsed.out !== undefined ? resolve(parsed.out) : undefined;
  let exitCode: number;
  /** Cells whose outputs this run produced (the only outputs a signature may vouch for). */
  const produced = new Set<string>();
  try {
    // A run of this notebook that crashed left its cleanup undone (iptables rules, namespaces):
    // undo it before setting up again.
    for (const run of pending) {
      const ids = run.cleanupCellIds.filter((id) => notebook.cells.some((c) => c.id === id));
      stderr.write(
        `probebook run: a run of this notebook started ${new Date(run.startedAt).toLocaleString()} did not finish; running its cleanup cells first.\n`,
      );
      const replay = ids.length ? await runner.run({ cellIds: ids, allowErrors: true }) : undefined;
      for (const cell of replay?.cells ?? []) produced.add(cell.cellId);
      if (replay && !allRan(replay, ids)) {
        // Stopped or cut off again: the entry stays for the next run, and this one does not set up anew.
        stderr.write(`probebook run: the cleanup cells of that run did not finish; not running the notebook.\n`);
        return 1;
      }
      ledger.endRun(run.runId);
    }
    const startedAt = Date.now();
    const summary = await runner.run({ runAll: true, allowErrors: parsed.allowErrors });
    for (const cell of summary.cells) produced.add(cell.cellId);
    // What the outputs were measured on, probed after the cells ran (never before a first output).
    if (summary.cells.length && target) {
      const env = await runEnvironment(notebook, { startedAt, hostname: parsed.recordHostname }).catch(() => undefined);
      if (env) notebook.metadata = withEnvironment(notebook.metadata, env);
    }
    progress.finish(summary);
    exitCode = summary.ok ? 0 : 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    progress.close();
    await executor.dispose();
  }

  if (target) {
    await addFallbacksBeforeSave(notebook, (line) => stderr.write(`probebook run: ${line}\n`));
    try {
      await writeNotebookFile(target, notebook, {
        expected: target === path ? fingerprint : undefined,
        outputLimitBytes: parsed.outputLimit,
        originalKept: (kept) => stderr.write(`probebook run: the nbformat ${converted} original is kept as ${kept}\n`),
      });
      if (!parsed.quiet) stderr.write(`wrote ${target}\n`);
      await signWritten(target, notebookAsSaved(notebook, { outputLimitBytes: parsed.outputLimit }), produced, stderr);
    } catch (error) {
      // Never lose a run's outputs: when the target cannot be written, save beside it.
      const fallback = `${target.replace(/\.ipynb$/, '')}.probebook-${Date.now()}.ipynb`;
      stderr.write(`probebook run: could not write ${target}: ${(error as Error).message}\n`);
      try {
        await writeNotebookFile(fallback, notebook, { outputLimitBytes: parsed.outputLimit });
        stderr.write(`probebook run: the outputs were saved to ${fallback} instead\n`);
      } catch (second) {
        stderr.write(`probebook run: and not to ${fallback} either: ${(second as Error).message}\n`);
      }
      return 1;
    }
  }
  return exitCode;
}

interface ParsedRunArgs {
  notebook: string;
  out?: string;
  inplace: boolean;
  params: Record<string, string>;
  allowErrors: boolean;
  outputLimit: number;
  graceMs?: number;
  asUser: boolean;
  quiet: boolean;
  recordHostname: boolean;
  help: boolean;
}

/** Parses and checks the arguments; throws UsageError with a message for people. */
export function parseRunArgs(argv: string[]): ParsedRunArgs {
  let values: ReturnType<typeof parse>['values'];
  let positionals: string[];
  try {
    ({ values, positionals } = parse(argv));
  } catch (error) {
    throw new UsageError((error as Error).message.replace(/^TypeError \[[A-Z_]+\]: /, ''));
  }
  if (values.help)
    return { notebook: '', inplace: false, params: {}, allowErrors: false, outputLimit: 0, asUser: false, quiet: false, recordHostname: false, help: true };
  if (positionals.length === 0) throw new UsageError('no notebook given');
  if (positionals.length > 1) throw new UsageError(`one notebook at a time (got ${positionals.join(', ')})`);
  if (values.out !== undefined && values.inplace) throw new UsageError('--out and --inplace exclude each other');
  const params: Record<string, string> = {};
  for (const pair of values.param ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--param takes NAME=VALUE, got "${pair}"`);
    const name = pair.slice(0, eq);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw new UsageError(`--param name "${name}" must be a valid variable name (letters, digits, _; not starting with a digit)`);
    }
    // Parameters become root's environment: PATH=. would run the folder's own ./ip (env-names.ts).
    const refused = parameterNameProblem(name);
    if (refused) throw new UsageError(`--param ${name}: ${refused}`);
    params[name] = pair.slice(eq + 1);
  }
  let outputLimit = 4 * 1024 * 1024;
  if (values['output-limit'] !== undefined) outputLimit = parseSize(values['output-limit'], '--output-limit');
  let graceMs: number | undefined;
  if (values.grace !== undefined) {
    graceMs = parseGrace(values.grace);
  }
  return {
    notebook: positionals[0]!,
    out: values.out,
    inplace: values.inplace ?? false,
    params,
    allowErrors: values['allow-errors'] ?? false,
    outputLimit,
    graceMs,
    asUser: values['as-user'] ?? false,
    quiet: values.quiet ?? false,
    recordHostname: values['record-hostname'] ?? false,
    help: false,
  };
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      out: { type: 'string', short: 'o' },
      inplace: { type: 'boolean' },
      param: { type: 'string', short: 'p', multiple: true },
      'allow-errors': { type: 'boolean' },
      'output-limit': { type: 'string' },
      grace: { type: 'string' },
      'as-user': { type: 'boolean' },
      quiet: { type: 'boolean', short: 'q' },
      'record-hostname': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

/**
 * The run's kernel host. `--as-user`: a plain child as the user (through setpriv when this is
 * `sudo probebook run`). Otherwise root as the app gets it; a notebook with nothing for root
 * (only `user` cells, no cleanup owed) runs without it when it cannot be had.
 */
async function startKernelHost(parsed: ParsedRunArgs, stderr: NodeJS.WritableStream): Promise<{ executor: CellExecutor } | { error: unknown }> {
  const me = invokingUser();
  try {
    if (parsed.asUser) {
      if (!parsed.quiet) stderr.write(`probebook run: --as-user: every cell runs as ${me.name ?? me.uid}, root cells too\n`);
      if (process.geteuid?.() === 0 && me.uid !== 0) return { executor: await KernelHostClient.start({ methods: ['setpriv'], user: me }) };
      return { executor: await KernelHostClient.start({ methods: ['root'] }) };
    }
    const onAttempt = (method: ElevationMethod) => {
      if (method === 'pkexec' && !parsed.quiet) stderr.write('probebook run: asking for root through pkexec (polkit) for the root cells…\n');
    };
    return { executor: await KernelHostClient.start({ onAttempt }) };
  } catch (error) {
    return { error };
  }
}

/** The started kernel host, or, when root could not be had, one as the user if the notebook has nothing for root. */
async function kernelHostFor(notebook: Notebook, cleanupOwed: boolean, started: { executor: CellExecutor } | { error: unknown }): Promise<CellExecutor> {
  if ('executor' in started) return started.executor;
  const needsRoot = cleanupOwed || trustReview(notebook).cells.some((c) => c.runAs === 'root');
  if (!(started.error instanceof ElevationError) || needsRoot) throw started.error;
  return KernelHostClient.start({ methods: ['root'] });
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * Signs the written notebook for the user who ran it (they chose to run it; its outputs were made
 * here), unless it still holds outputs this run did not produce: those came with the file and
 * keep it untrusted. Under sudo or pkexec the signature goes into the invoking user's own trust
 * store, written by a process running as that user (`probebook trust`), never by root.
 */
async function signWritten(target: string, notebook: Notebook, produced: Set<string>, stderr: NodeJS.WritableStream): Promise<void> {
  // `notebook` is as its file reads back (streams capped to the output limit): what will be opened.
  const foreign = notebook.cells.filter((c) => c.cellType === 'code' && c.outputs.length > 0 && !produced.has(c.id));
  if (foreign.length > 0) {
    const which = foreign.map((c) => notebook.cells.indexOf(c) + 1).join(', ');
    stderr.write(
      `probebook run: ${target} is not marked trusted: cells ${which} kept outputs from before this run (run it again with --allow-errors, or open it and decide)\n`,
    );
    return;
  }
  try {
    const user = invokingUser();
    if (process.geteuid?.() !== 0 || user.uid === 0) {
      new TrustStore().trust(notebook);
      return;
    }
    const cli = bundledEntry('cli.js');
    const script = `const { main } = await import(${JSON.stringify(`file://${cli}`)}); process.exitCode = await main(['trust', '-q', '--', ${JSON.stringify(target)}]);`;
    const result = await execa(
      'setpriv',
      [
        `--reuid=${user.uid}`,
        `--regid=${user.gid}`,
        user.name ? '--init-groups' : '--clear-groups',
        '--',
        process.execPath,
        '--input-type=module',
        '-e',
        script,
      ],
      { env: userEnv(user), extendEnv: false, reject: false, stdin: 'ignore', timeout: 30_000 },
    );
    if (result.exitCode !== 0) throw new Error((result.stderr || result.shortMessage || `exit ${result.exitCode}`).trim());
  } catch (error) {
    stderr.write(`probebook run: could not mark ${target} trusted: ${(error as Error).message}\n`);
  }
}

function parseGrace(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s)?$/.exec(text.trim());
  if (!m) throw new UsageError(`--grace takes a duration like 3s or 500ms, got "${text}"`);
  return Number(m[1]) * (m[2] === 'ms' ? 1 : 1000);
}

/** Prints outputs as they arrive when no file is written: text streams as they are, rich outputs as text/plain. */
class OutputEcho {
  constructor(
    private readonly stdout: NodeJS.WritableStream,
    private readonly stderr: NodeJS.WritableStream,
  ) {}

  write(_cellId: string, edit: import('../../common/protocol.ts').OutputEdit): void {
    if (edit.kind === 'append') {
      this.#text(edit.text, this.#streams.get(edit.outputId) ?? 'stdout');
      return;
    }
    if (edit.kind !== 'add' && edit.kind !== 'replace') return;
    const { output } = edit;
    if (output.kind === 'stream') {
      const name = output.items[0]?.mime.endsWith('stderr') ? 'stderr' : 'stdout';
      this.#streams.set(output.outputId, name);
      this.#text(String(output.items[0]?.data ?? ''), name);
      return;
    }
    if (output.kind === 'error') {
      const data = output.items[0]?.data as { ename?: string; evalue?: string; traceback?: string[] } | undefined;
      this.#text(`${data?.ename ?? 'Error'}: ${data?.evalue ?? ''}\n${(data?.traceback ?? []).join('\n')}\n`, 'stderr');
      return;
    }
    const plain = output.items.find((i) => i.mime === 'text/plain');
    if (plain) this.#text(String(plain.data).replace(/\n?$/, '\n'), 'stdout');
  }

  readonly #streams = new Map<string, 'stdout' | 'stderr'>();

  #text(text: string, name: 'stdout' | 'stderr'): void {
    (name === 'stdout' ? this.stdout : this.stderr).write(text);
  }
}
