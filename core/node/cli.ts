/**
 * The `probebook` command line: one dispatcher, one module per subcommand in core/node/commands/.
 */
import { readFileSync } from 'node:fs';

export const USAGE = `Usage: probebook <command> [options]

Commands:
  start [FILE.ipynb]   the desktop app (browser mode where Electron's binary is not installed)
  open FILE.ipynb      open a notebook in the desktop app (or browser mode)
  serve [FILE | DIR] [--port N] [--host ADDR] [--no-browser]
                       serve the notebook page to a browser on this machine
  run NOTEBOOK.ipynb [--out FILE | --inplace] [--param NAME=VALUE]... [--allow-errors] [--as-user]
                       run a notebook headless and save its outputs (root cells get root once)
  export NOTEBOOK.ipynb --to html|pdf|md|ipynb [-o FILE] [--no-code] [--no-outputs]
                       a report (offline HTML, PDF, Markdown), or the notebook with PNGs of its figures
  trust NOTEBOOK.ipynb...
                       trust notebooks for yourself on this machine, as the app's Trust button does
  strip NOTEBOOK.ipynb... [--check] | --stdin
                       remove outputs and run metadata (for committing lab templates; a git filter)
  bpf-sync NOTEBOOK.ipynb... [--check]
                       copy the bpf/*.bt files bpftrace cells embed into those cells
  doctor [--json] [--fix NAME]
                       check this machine: tools, kernel features, privileges
  help [COMMAND]       show help
  version              print the version

Run "probebook COMMAND --help" for a command's options.`;

type Command = (argv: string[]) => Promise<number>;

// Each command loads only what it needs (the bundle is split per command): `probebook run`
// starts without the server, Electron launcher or doctor.
const COMMANDS: Record<string, Command> = {
  run: async (argv) => (await import('./commands/run.ts')).runCommand(argv),
  serve: async (argv) => (await import('./commands/serve.ts')).serveCommand(argv),
  start: async (argv) => (await import('./commands/start.ts')).startCommand(argv),
  open: async (argv) => (await import('./commands/start.ts')).startCommand(argv),
  doctor: async (argv) => (await import('./commands/doctor.ts')).doctorCommand(argv),
  trust: async (argv) => (await import('./commands/trust.ts')).trustCommand(argv),
  export: async (argv) => (await import('./commands/export.ts')).exportCommand(argv),
  'bpf-sync': async (argv) => (await import('./commands/bpf-sync.ts')).bpfSyncCommand(argv),
  strip: async (argv) => (await import('./commands/strip.ts')).stripCommand(argv),
};

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    if (rest[0] && COMMANDS[rest[0]]) return COMMANDS[rest[0]]!(['--help']);
    process.stdout.write(`${USAGE}\n`);
    return name === undefined ? 2 : 0;
  }
  if (name === 'version' || name === '--version' || name === '-V') {
    process.stdout.write(`probebook ${version()}\n`);
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`probebook: unknown command "${name}"\n\n${USAGE}\n`);
    return 2;
  }
  return command(rest);
}

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    return pkg.version;
  } catch {
    return 'unknown';
  }
}
