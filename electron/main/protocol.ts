/**
 * The `app://probebook/` scheme that serves the page (dist/renderer), never `file://`. It is
 * registered as standard and secure before `ready` so the page gets a real origin, the Fetch API
 * and secure-context features; files are read by `app-files.ts` with its traversal checks and CSP.
 */
import { app, protocol } from 'electron';
import { APP_SCHEME } from '../shared/app-origin.ts';
import { readAppFile } from './app-files.ts';

/** Call before `ready`: registers the scheme now and serves `rendererRoot` from it once ready. */
export function setupProtocol(rendererRoot: string): void {
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } }]);
  void app.whenReady().then(() => {
    protocol.handle(APP_SCHEME, async (request) => {
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        return new Response(`${request.method} is not supported`, { status: 405 });
      }
      const file = await readAppFile(rendererRoot, request.url);
      if (file.status >= 400) process.stderr.write(`probebook: app:// ${file.status} ${String(file.body)}\n`);
      const body = typeof file.body === 'string' ? file.body : new Uint8Array(file.body.buffer as ArrayBuffer, file.body.byteOffset, file.body.byteLength);
      return new Response(request.method === 'HEAD' ? null : body, { status: file.status, headers: file.headers });
    });
    // Nothing of the app loads from file://; refusing it closes a path to the user's files.
    protocol.handle('file', (request) => {
      process.stderr.write(`probebook: blocked file:// request: ${request.url.slice(0, 200)}\n`);
      return new Response('file:// is disabled in Probebook', { status: 403 });
    });
  });
}
