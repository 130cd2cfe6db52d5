import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { answerLogin, LOGIN_PATH, loginFormPage } from './login.ts';
import { newSecret, RequestGuard, sessionCookie } from './request-guard.ts';

/** A real HTTP server that answers /login as the notebook server does, counting sign-ins. */
async function loginServer(t: { after(fn: () => unknown): void }) {
  let logins = 0;
  let guard!: RequestGuard;
  const server = createServer((req, res) => void answerLogin(req, res, new URL(req.url ?? '/', 'http://localhost'), guard, () => logins++));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise((resolve) => server.close(resolve)));
  const port = (server.address() as AddressInfo).port;
  guard = new RequestGuard({ token: newSecret(), sessionSecret: newSecret(), xsrfSecret: newSecret(), port, allowedHosts: [] });
  const send = (method: string, path: string, headers: Record<string, string> = {}, body = '') =>
    new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, method, path, headers: { Host: `127.0.0.1:${port}`, ...headers } }, (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text }));
      });
      req.on('error', reject);
      req.end(body);
    });
  const form = { 'Content-Type': 'application/x-www-form-urlencoded', Origin: 'null' };
  return { port, token: guard.options.token, send, form, logins: () => logins };
}

test('the right token in a form signs in: cookies, a redirect to a token-free page, no token in any URL', async (t) => {
  const s = await loginServer(t);
  const res = await s.send('POST', `${LOGIN_PATH}?open=lab.ipynb`, s.form, `token=${s.token}`);
  assert.equal(res.status, 303);
  assert.equal(res.headers.location, '/login?open=lab.ipynb');
  assert.match(String(res.headers['set-cookie']), new RegExp(`${sessionCookie(s.port)}=[^;]+; Path=/; HttpOnly; SameSite=Strict`));
  assert.equal(s.logins(), 1);
  // The page it lands on starts a same-site navigation (the SameSite=Strict cookie goes with it).
  const landing = await s.send('GET', '/login?open=lab.ipynb');
  assert.equal(landing.status, 200);
  assert.match(landing.body, /<meta http-equiv="refresh" content="0;url=\/\?open=lab\.ipynb">/);
  assert.doesNotMatch(landing.body, new RegExp(s.token));
  assert.equal(s.logins(), 1, 'only the POST signs in');
});

test('a wrong or missing token, another site, another body type or a huge form signs nothing in', async (t) => {
  const s = await loginServer(t);
  const cases: [string, Record<string, string>, string, number][] = [
    ['wrong token', s.form, 'token=wrong', 403],
    ['no token', s.form, '', 403],
    ['another site', { ...s.form, Origin: 'http://evil.example' }, `token=${s.token}`, 403],
    ['JSON', { ...s.form, 'Content-Type': 'application/json' }, JSON.stringify({ token: s.token }), 415],
    ['huge', s.form, `token=${s.token}&pad=${'x'.repeat(10_000)}`, 413],
  ];
  for (const [what, headers, body, status] of cases) {
    const res = await s.send('POST', LOGIN_PATH, headers, body);
    assert.equal(res.status, status, what);
    assert.equal(res.headers['set-cookie'], undefined, what);
  }
  assert.equal((await s.send('PUT', LOGIN_PATH, s.form, `token=${s.token}`)).status, 405);
  assert.equal(s.logins(), 0);
  // Our own page's Origin is fine too (a form on the page itself).
  assert.equal((await s.send('POST', LOGIN_PATH, { ...s.form, Origin: `http://127.0.0.1:${s.port}` }, `token=${s.token}`)).status, 303);
});

test('the notebook name is escaped in the pages, and only it is carried over', async (t) => {
  const s = await loginServer(t);
  const hostile = '"><script>alert(1)</script>';
  const landing = await s.send('GET', `/login?open=${encodeURIComponent(hostile)}&next=http://evil.example`);
  assert.doesNotMatch(landing.body, /<script>|evil\.example/);
  const post = await s.send('POST', `/login?open=a.ipynb&next=http://evil.example`, s.form, `token=${s.token}`);
  assert.equal(post.headers.location, '/login?open=a.ipynb');
  const page = loginFormPage(`http://127.0.0.1:1/?token=t"k&open=${encodeURIComponent(hostile)}`);
  assert.doesNotMatch(page, /"><script>alert/);
  assert.match(page, /value="t&quot;k"/);
});
