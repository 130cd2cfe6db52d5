/**
 * Browser mode's server: the page's files over HTTP and the session host over a WebSocket at
 * `/ws`, behind the {@link RequestGuard}. Binds 127.0.0.1 unless told otherwise.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { jsonTextNestedDeeper, MAX_JSON_DEPTH } from '../../common/notebook/json-text.ts';
import { OUTPUT_FRAME_DIR, OUTPUT_FRAME_FILES } from '../../common/output-frames.ts';
import { MAX_MESSAGE_BYTES, type HostMessage } from '../../common/protocol.ts';
import type { Connection, SessionHost } from '../session/session-host.ts';
import { answerLogin, LOGIN_PATH } from './login.ts';
import { newSecret, RequestGuard } from './request-guard.ts';
import { StaticFiles } from './static-files.ts';

export interface NotebookServerOptions {
  host: SessionHost;
  /** The built page (dist/renderer). */
  pageDir: string;
  listenHost?: string;
  port?: number;
  allowedHosts?: string[];
  /** Called by `POST /api/shutdown`. */
  onShutdown?: () => void;
  /** Called when a browser signed in with the token through `POST /login` (the redirect file did its job). */
  onLogin?: () => void;
  /** Where a dropped connection is reported (one line each); default stderr. */
  log?: (line: string) => void;
}

/**
 * The output frames' files, served without the session cookie: the frames' opaque origin gets no
 * SameSite cookie, so plots and untrusted HTML could not load their script otherwise. Public
 * build files (frame code, styles, plotly), no notebook data.
 */
const PUBLIC_FRAME_PATHS = new Set<string>(OUTPUT_FRAME_FILES.map((f) => `/${OUTPUT_FRAME_DIR}${f}`));

/** Interval of WebSocket pings; a client that misses one is dropped (its runs go on). */
const PING_MS = 15_000;

/**
 * Deepest JSON a message may be before it is parsed: the validator limits metadata exactly (to what
 * a file may hold); this leaves room for the message around it (message, edits, edit, cell).
 */
const MAX_MESSAGE_DEPTH = MAX_JSON_DEPTH + 8;

/**
 * The server's WebSocket: ws closes a connection with 1009 from inside its frame reader when a
 * message passes maxPayload, and nothing may follow a close frame, so the page is told why here,
 * before the close goes out.
 */
class LimitedWebSocket extends WebSocket {
  override close(code?: number, data?: string | Buffer): void {
    if (code === 1009 && this.readyState === WebSocket.OPEN) {
      const error: HostMessage = {
        type: 'error',
        code: 'bad_message',
        message: `A message from this page was larger than ${MAX_MESSAGE_BYTES / 1024 / 1024} MiB, the limit of one message, and was dropped; the connection is closed. Reload the page, and split very large cells or metadata.`,
      };
      this.send(JSON.stringify(error));
      super.close(1009, 'message too big');
      return;
    }
    super.close(code, data);
  }
}

export class NotebookServer {
  readonly token = newSecret();
  readonly #options: NotebookServerOptions;
  readonly #http: Server;
  readonly #ws: WebSocketServer;
  readonly #static: StaticFiles;
  #guard: RequestGuard | undefined;
  #ping: NodeJS.Timeout | undefined;

  constructor(options: NotebookServerOptions) {
    this.#options = options;
    this.#static = new StaticFiles(options.pageDir);
    this.#http = createServer((req, res) => this.#request(req, res));
    this.#ws = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES, WebSocket: LimitedWebSocket });
    this.#http.on('upgrade', (req, socket, head) => {
      // Node removes its own error listener from an upgraded socket: without one, a reset ends the process.
      socket.on('error', () => socket.destroy());
      const refuse = (status: number, why: string) => {
        socket.end(`HTTP/1.1 ${status} ${why}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      };
      const guard = this.#guard!;
      if (!guard.hostAllowed(req)) return refuse(403, 'Forbidden Host');
      if (!guard.originAllowed(req, true)) return refuse(403, 'Forbidden Origin');
      if (!guard.authenticated(req)) return refuse(401, 'Unauthorized');
      if (new URL(req.url ?? '/', 'http://x').pathname !== '/ws') return refuse(404, 'Not Found');
      this.#ws.handleUpgrade(req, socket, head, (ws) => this.#connect(ws));
    });
  }

  /** Starts listening; resolves with the URL to open (with the token). */
  async listen(): Promise<{ url: string; port: number; host: string }> {
    const host = this.#options.listenHost ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      this.#http.once('error', reject);
      this.#http.listen(this.#options.port ?? 0, host, () => resolve());
    });
    const port = (this.#http.address() as AddressInfo).port;
    const extra = host === '127.0.0.1' || host === 'localhost' || host === '::1' ? [] : [host.includes(':') ? `[${host}]` : host];
    this.#guard = new RequestGuard({
      token: this.token,
      sessionSecret: newSecret(),
      xsrfSecret: newSecret(),
      port,
      allowedHosts: [...extra, ...(this.#options.allowedHosts ?? [])],
    });
    this.#ping = setInterval(() => {
      for (const client of this.#ws.clients) {
        const alive = client as WebSocket & { probebookAlive?: boolean };
        if (alive.probebookAlive === false) client.terminate();
        else {
          alive.probebookAlive = false;
          client.ping();
        }
      }
    }, PING_MS);
    this.#ping.unref();
    const shown = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
    return { url: `http://${shown}:${port}/?token=${this.token}`, port, host };
  }

  async close(): Promise<void> {
    clearInterval(this.#ping);
    for (const client of this.#ws.clients) client.terminate();
    await new Promise<void>((resolve) => this.#http.close(() => resolve()));
  }

  #connect(ws: WebSocket): void {
    const alive = ws as WebSocket & { probebookAlive?: boolean };
    alive.probebookAlive = true;
    ws.on('pong', () => (alive.probebookAlive = true));
    // A malformed frame or an oversized message: ws has closed this one connection (1002, 1007,
    // 1009); without a listener the error would end the process, and every running cell with it.
    ws.on('error', (error) => (this.#options.log ?? ((line) => process.stderr.write(`${line}\n`)))(`probebook serve: closed a connection: ${error.message}`));
    const connection: Connection = {
      send: (message: HostMessage) => {
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
      },
      onMessage: (listener) =>
        ws.on('message', (data, isBinary) => {
          if (isBinary) return listener(null); // validated (and refused) at the edge
          const text = String(data);
          if (jsonTextNestedDeeper(text, MAX_MESSAGE_DEPTH)) {
            return connection.send({ type: 'error', code: 'bad_message', message: `message nests deeper than ${MAX_MESSAGE_DEPTH} levels: refused unread` });
          }
          let parsed: unknown;
          try {
            parsed = JSON.parse(text);
          } catch {
            parsed = null;
          }
          listener(parsed);
        }),
      onClose: (listener) => ws.on('close', listener),
    };
    this.#options.host.attach(connection);
  }

  async #request(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const guard = this.#guard!;
    const deny = (status: number, text: string) => {
      res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
      res.end(`${text}\n`);
    };
    try {
      if (!guard.hostAllowed(req)) return deny(403, 'Forbidden: this server answers only to its own address (Host header refused).');
      const stateChanging = req.method !== 'GET' && req.method !== 'HEAD';
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (!stateChanging && PUBLIC_FRAME_PATHS.has(url.pathname)) {
        if (!guard.frameOriginAllowed(req)) return deny(403, 'Forbidden: requests from other sites are refused (Origin).');
        return await this.#static.serve(url.pathname, req, res);
      }
      // Before the Origin rule: the redirect file is a file:// page, whose Origin is `null`.
      if (url.pathname === LOGIN_PATH) return await answerLogin(req, res, url, guard, () => this.#options.onLogin?.());
      if (!guard.originAllowed(req, stateChanging)) return deny(403, 'Forbidden: requests from other sites are refused (Origin).');
      const token = url.searchParams.get('token');
      if (token !== null) {
        if (!guard.tokenMatches(token)) return deny(403, 'Forbidden: that token is wrong. Use the URL probebook serve printed.');
        // Trade the token for a cookie and drop it from the address bar; the URL as typed stays in
        // the browser's history (the redirect file signs in by a POST instead: login.ts).
        url.searchParams.delete('token');
        res.writeHead(302, {
          Location: url.pathname + url.search,
          'Set-Cookie': guard.loginCookies(),
          'Cache-Control': 'no-store',
          'Referrer-Policy': 'no-referrer',
        });
        res.end();
        return;
      }
      if (!guard.authenticated(req)) {
        return deny(401, 'Probebook: open the URL that `probebook serve` printed (it carries the access token).');
      }
      if (stateChanging) {
        if (!guard.xsrfValid(req)) return deny(403, 'Forbidden: missing or wrong XSRF token.');
        if (req.method === 'POST' && url.pathname === '/api/shutdown') {
          res.writeHead(202, { 'Content-Type': 'text/plain' });
          res.end('shutting down\n');
          this.#options.onShutdown?.();
          return;
        }
        return deny(404, 'Not found.');
      }
      await this.#static.serve(url.pathname, req, res);
    } catch (error) {
      if (!res.headersSent) deny(500, `Internal error: ${(error as Error).message}`);
      else res.destroy();
    }
  }
}
