/**
 * The preamble every subcommand shares: read its arguments, print its usage on `--help`, and on
 * bad usage print what is wrong followed by the usage (exit status 2).
 */

/** Bad usage, in words for people: printed before the command's usage. */
export class UsageError extends Error {}

export interface CommandIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/**
 * Runs `parse` (node:util's parseArgs and the command's own checks; anything it throws is bad
 * usage) and answers `--help`. Returns the parsed arguments, or the exit status when the command
 * ends here.
 *
 * @example
 * const args = readCommandArgs('doctor', DOCTOR_USAGE, { stdout, stderr }, () => parseArgs({ args: argv, options }).values);
 * if (typeof args === 'number') return args;
 */
export function readCommandArgs<T extends { help?: boolean }>(command: string, usage: string, io: CommandIo, parse: () => T): T | number {
  let args: T;
  try {
    args = parse();
  } catch (error) {
    io.stderr.write(`probebook ${command}: ${(error as Error).message}\n\n${usage}\n`);
    return 2;
  }
  if (args.help) {
    io.stdout.write(`${usage}\n`);
    return 0;
  }
  return args;
}
