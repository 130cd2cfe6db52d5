/**
 * Signing a browser in without the token entering its history: the redirect file `probebook serve`
 * opens POSTs the token in a form to {@link LOGIN_PATH}, which answers with the session cookie and
 * a redirect to a token-free page. A `?token=` URL (the one printed) is in the browser's history
 * the moment it is typed, whatever the server does; a form's body never is.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestGuard } from './request-guard.ts';

export const LOGIN_PATH = '/login';

/** A token is 43 characters; a form with more than this is not ours. */
const MAX_LOGIN_BODY = 4096;

const escapeHtml = (text: string) => text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** `path` with the request's notebook to open, and nothing else from the request. */
function withOpen(path: string, url: URL): string {
  const open = url.searchParams.get('open');
  return open === null ? path : `${path}?open=${encodeURIComponent(open)}`;
}

/**
 * The redirect file's page: a form that POSTs the token to the server as soon as it loads (a
 * button without script). `url` is the URL serve printed.
 */
export function loginFormPage(url: string): string {
  const parsed = new URL(url);
  const action = new URL(LOGIN_PATH, parsed.origin);
  const open = parsed.searchParams.get('open');
  if (open !== null) action.searchParams.set('open', open);
  const token = parsed.searchParams.get('token') ?? '';
  return [
    '<!doctype html><meta charset="utf-8"><meta name="referrer" content="no-referrer"><title>Probebook</title>',
    `<form method="post" action="${escapeHtml(action.href)}"><input type="hidden" name="token" value="${escapeHtml(token)}"><button>Open Probebook</button></form>`,
    '<script>document.forms[0].submit()</script>',
    '',
  ].join('\n');
}

/**
 * `POST /login` (the form above) and `GET /login` (the page it lands on). A POST signs in only the
 * browser that sends the right token, so it needs no XSRF token; it accepts the `null` Origin a
 * `file://` page sends, and refuses other sites' Origins all the same.
 */
export async function answerLogin(req: IncomingMessage, res: ServerResponse, url: URL, guard: RequestGuard, onLogin: () => void): Promise<void> {
  const plain = (status: number, text: string) => {
    res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(`${text}\n`);
  };
  if (req.method === 'GET' || req.method === 'HEAD') {
    // Redirected here from the POST, the request counts as cross-site and a SameSite=Strict cookie
    // is not sent; a navigation this page starts is same-site, so the page loads signed in.
    const target = escapeHtml(withOpen('/', url));
    res.writeHead(200, {
      'Content-Type': 'text/html; charset=utf-8',
      'Cache-Control': 'no-store',
      'Content-Security-Policy': "default-src 'none'",
      'Referrer-Policy': 'no-referrer',
    });
    res.end(
      `<!doctype html><meta charset="utf-8"><meta http-equiv="refresh" content="0;url=${target}"><title>Probebook</title><a href="${target}">Open Probebook</a>\n`,
    );
    return;
  }
  if (req.method !== 'POST') return plain(405, 'Method not allowed.');
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== 'null' && !guard.originAllowed(req, true))
    return plain(403, 'Forbidden: requests from other sites are refused (Origin).');
  if (!/^application\/x-www-form-urlencoded\b/i.test(req.headers['content-type'] ?? ''))
    return plain(415, 'Sign in with the form probebook serve opens, or with the URL it printed.');
  const body = await readBody(req, MAX_LOGIN_BODY);
  if (body === null) return plain(413, 'Forbidden: that sign-in form is too large.');
  if (!guard.tokenMatches(new URLSearchParams(body).get('token'))) return plain(403, 'Forbidden: that token is wrong. Use the URL probebook serve printed.');
  onLogin();
  // 303: the browser follows with a GET, so the form (and its token) is not resent on reload.
  res.writeHead(303, {
    Location: withOpen(LOGIN_PATH, url),
    'Set-Cookie': guard.loginCookies(),
    'Cache-Control': 'no-store',
    'Referrer-Policy': 'no-referrer',
  });
  res.end();
}

/** The request body as text, or null once it exceeds `limit` bytes. */
function readBody(req: IncomingMessage, limit: number): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        resolve(null);
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
