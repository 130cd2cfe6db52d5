/**
 * `probebook serve [FILE.ipynb | DIR] [--port N] [--host ADDR] [--allow-host NAME]... [--no-browser]`
 *
 * Browser mode: the notebook page for a folder, on 127.0.0.1 with a token. Prints the URL and
 * opens a browser where there is a desktop (the token goes through a private file, never onto
 * another process's command line).
 */
import { execa } from 'execa';
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createSessionHost } from '../session/create-session-host.ts';
import type { SessionHost } from '../session/session-host.ts';
import { NotebookServer } from '../server/notebook-server.ts';
import { ServerInfoFiles } from '../server/server-info.ts';
import { readCommandArgs } from './command-args.ts';

export const SERVE_USAGE = `Usage: probebook serve [FILE.ipynb | DIR] [options]

Serves the notebook page for a folder (default: the current one) to a browser on this machine.

Options:
  --port N            port to listen on (default: a free one)
  --host ADDR         address to bind (default 127.0.0.1; anything else is reachable from the network)
  --allow-host NAME   also answer to this host name (e.g. an SSH tunnel's), repeatable
  --no-browser        do not open a browser
  -h, --help          show this help`;

/** Said once when serve runs as root. */
export const ROOT_NOTICE =
  'running as root, so cells run as root without asking for a password (cells marked "user" run as the user who ran sudo). The page is still served on loopback only, behind its token.';

export interface ServeHandle {
  url: string;
  server: NotebookServer;
  host: SessionHost;
  stop(): Promise<void>;
  /** Resolves once the server has stopped (signal, or POST /api/shutdown). */
  stopped: Promise<void>;
}

/** The built page (dist/renderer), next to the CLI bundle or the source tree. */
function pageDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const candidate of [join(here, '../renderer'), join(here, '../../dist/renderer'), join(here, '../../../dist/renderer')]) {
    if (existsSync(candidate)) return candidate;
  }
  return join(here, '../renderer');
}

export async function startServe(
  argv: string[],
  out: NodeJS.WritableStream = process.stdout,
  err: NodeJS.WritableStream = process.stderr,
): Promise<ServeHandle | number> {
  const args = readCommandArgs('serve', SERVE_USAGE, { stdout: out, stderr: err }, () => {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        'allow-host': { type: 'string', multiple: true },
        'no-browser': { type: 'boolean' },
        'allow-root': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    return { ...values, positionals };
  });
  if (typeof args === 'number') return args;
  const { positionals, ...values } = args;
  if (positionals.length > 1) {
    err.write(`probebook serve: one file or folder at a time\n`);
    return 2;
  }
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    err.write(`probebook serve: --port takes a port number, got "${values.port}"\n`);
    return 2;
  }
  // Root is allowed (lab VMs and containers often are root): the server runs root cells by design,
  // so refusing it would protect nothing. Loopback, the token and the Origin checks still apply.
  // `--allow-root` is still accepted, and means nothing more.
  if (process.geteuid?.() === 0) err.write(`probebook serve: ${ROOT_NOTICE}\n`);

  const target = resolve(positionals[0] ?? '.');
  let folder = target;
  let open: string | undefined;
  try {
    if (statSync(target).isFile()) {
      folder = dirname(target);
      open = basename(target);
    }
  } catch {
    err.write(`probebook serve: ${target} does not exist\n`);
    return 2;
  }

  const listenHost = values.host ?? '127.0.0.1';
  if (!['127.0.0.1', 'localhost', '::1'].includes(listenHost)) {
    err.write(
      `probebook serve: warning: listening on ${listenHost}: other machines can reach this server. The token still guards it; prefer an SSH tunnel to 127.0.0.1.\n`,
    );
  }
  const info = openServerInfo(err);
  if (!info) return 2;

  const host = await createSessionHost({ root: folder });
  let stopping: Promise<void> | undefined;
  let markStopped!: () => void;
  const stopped = new Promise<void>((r) => (markStopped = r));
  const server = new NotebookServer({
    host,
    pageDir: pageDir(),
    listenHost,
    port,
    allowedHosts: values['allow-host'] ?? [],
    onShutdown: () => void stop(),
    onLogin: () => info.removeRedirect(),
  });
  let listening: { url: string };
  try {
    listening = await server.listen();
  } catch (error) {
    err.write(`probebook serve: cannot listen on ${listenHost}:${port}: ${(error as Error).message}\n`);
    return 2;
  }
  const url = open ? `${listening.url}&open=${encodeURIComponent(open)}` : listening.url;
  try {
    info.writeInfo(url, folder);
  } catch (error) {
    err.write(`probebook serve: ${(error as Error).message}\n`);
    info.removeAll();
    await server.close();
    await host.dispose();
    return 2;
  }
  const stop = () =>
    (stopping ??= (async () => {
      info.removeAll();
      await server.close();
      await host.dispose();
      markStopped();
    })());
  // The redirect file first: when the URL is printed, the server's files are all in place.
  if (!values['no-browser']) openBrowser(url, info, err);
  out.write(`Probebook is serving ${folder} at ${url}\n`);
  return { url, server, host, stop, stopped };
}

/** The command: serves until Ctrl-C or SIGTERM, then stops runs (cleanup cells run) and exits. */
export async function serveCommand(argv: string[]): Promise<number> {
  const started = await startServe(argv);
  if (typeof started === 'number') return started;
  // The listening server keeps the process alive until a signal or POST /api/shutdown stops it.
  await new Promise<void>((resolveStop) => {
    let signals = 0;
    const onSignal = () => {
      if (++signals > 1) process.exit(130);
      process.stderr.write(
        '\nprobebook serve: stopping: running cells are interrupted, then cleanup cells run (press Ctrl-C again to quit at once; undone cleanup is offered on the next start)\n',
      );
      void started.stop().then(resolveStop);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    void started.stopped.then(resolveStop);
  });
  return 0;
}

/** The private folder for the server-info and redirect files (server-info.ts), or undefined after saying why there is none. */
function openServerInfo(err: NodeJS.WritableStream): ServerInfoFiles | undefined {
  try {
    const info = new ServerInfoFiles();
    if (info.warning) err.write(`probebook serve: warning: ${info.warning}\n`);
    return info;
  } catch (error) {
    err.write(`probebook serve: ${(error as Error).message}\n`);
    return undefined;
  }
}

/**
 * Opens a browser on a private redirect file that signs it in with a POST, so the token is on no
 * command line and in no browser history.
 */
function openBrowser(url: string, info: ServerInfoFiles, err: NodeJS.WritableStream): void {
  if (!process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return;
  const failed = (why: string) => err.write(`probebook serve: could not open a browser (${why}); open the URL above yourself.\n`);
  let file: string;
  try {
    file = info.writeRedirect(url);
  } catch (error) {
    return void failed((error as Error).message);
  }
  const child = execa('xdg-open', [file], { detached: true, stdio: 'ignore', reject: false });
  child.unref();
  void child.then((result) => {
    if (!result.failed) return;
    info.removeRedirect();
    failed(result.shortMessage ?? `xdg-open exited with ${result.exitCode}`);
  });
}
