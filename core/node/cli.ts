/**
 * The `probebook` command line. Subcommands live in core/node/commands/, one file each.
 */
export async function main(argv: string[]): Promise<number> {
  process.stderr.write(`probebook: not built yet (${argv.join(' ')})\n`);
  return 2;
}
