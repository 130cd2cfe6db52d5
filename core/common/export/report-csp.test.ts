import { test } from 'node:test';
import assert from 'node:assert/strict';
import { reportPolicy, reportPolicyOf } from './report-csp.ts';

const hashA = `'sha256-${'A'.repeat(43)}='`;
const hashB = `'sha256-${'b'.repeat(42)}+='`;

test('a report’s policy is rebuilt from its script hashes alone', () => {
  const html = `<!doctype html><head><meta http-equiv="Content-Security-Policy" content="${reportPolicy([hashA, hashB])}"><title>t</title>`;
  assert.equal(reportPolicyOf(html), reportPolicy([hashA, hashB]));
  assert.match(
    reportPolicyOf(html),
    /^default-src 'none'; script-src 'sha256-A+=' 'sha256-b+\+='; style-src 'unsafe-inline'; img-src data: blob:; font-src data:; base-uri 'none'; form-action 'none'$/,
  );
});

test('HTML that is not a report, or whose policy is looser, is refused', () => {
  const meta = (content: string) => `<meta http-equiv="Content-Security-Policy" content="${content}">`;
  for (const html of [
    '<html><script>alert(1)</script>',
    meta("default-src *; script-src 'unsafe-inline'"),
    meta(`default-src 'none'; script-src 'unsafe-inline' ${hashA}`),
    meta(`default-src 'none'; script-src https://evil.example`),
    meta("default-src 'none'; style-src 'unsafe-inline'"),
  ]) {
    assert.throws(() => reportPolicyOf(html), /not a Probebook report/, html);
  }
  // Whatever else a meta policy says (connect-src, a looser img-src), the rebuilt one allows none of it.
  const rebuilt = reportPolicyOf(meta(`default-src 'none'; script-src ${hashA}; connect-src *; img-src *`));
  assert.doesNotMatch(rebuilt, /connect-src|img-src \*/);
});
