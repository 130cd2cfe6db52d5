/**
 * The `probebook` command line: one dispatcher, one module per subcommand in core/node/commands/.
 */
import { readFileSync } from 'node:fs';
import { runCommand } from './commands/run.ts';
import { serveCommand } from './commands/serve.ts';
import { doctorCommand } from './commands/doctor.ts';
import { startCommand } from './commands/start.ts';

export const USAGE = `Usage: probebook <command> [options]

Commands:
  start [FILE.ipynb]   the desktop app (browser mode where Electron's binary is not installed)
  open FILE.ipynb      open a notebook in the desktop app (or browser mode)
  serve [FILE | DIR] [--port N] [--host ADDR] [--no-browser] [--allow-root]
                       serve the notebook page to a browser on this machine
  run NOTEBOOK.ipynb [--out FILE | --inplace] [--param NAME=VALUE]... [--allow-errors]
                       run a notebook headless and save its outputs
  doctor [--json] [--fix NAME]
                       check this machine: tools, kernel features, privileges
  help [COMMAND]       show help
  version              print the version

Run "probebook COMMAND --help" for a command's options.`;

type Command = (argv: string[]) => Promise<number>;

const COMMANDS: Record<string, Command> = {
  run: (argv) => runCommand(argv),
  serve: serveCommand,
  start: startCommand,
  open: startCommand,
  doctor: doctorCommand,
};

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    if (rest[0] && COMMANDS[rest[0]]) return COMMANDS[rest[0]]!(['--help']);
    process.stdout.write(USAGE + '\n');
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
