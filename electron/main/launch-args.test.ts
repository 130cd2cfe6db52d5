import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_LAUNCH_FILES, launchFiles, parseSecondInstanceData, userArgs } from './launch-args.ts';

const mainScript = '/opt/pb/dist/electron/main.js';

test('finds the user arguments after electron and the main script in development', () => {
  assert.deepEqual(userArgs(['/x/electron', mainScript, 'a.ipynb'], { isPackaged: false, mainScript }), ['a.ipynb']);
  assert.deepEqual(userArgs(['/x/electron', '--enable-logging', mainScript, '--', 'b.ipynb'], { isPackaged: false, mainScript }), ['--', 'b.ipynb']);
  assert.deepEqual(userArgs(['/x/electron', 'dist/electron/main.js', 'c.ipynb'], { isPackaged: false, mainScript: 'dist/electron/main.js' }), ['c.ipynb']);
});

test('in a packaged app everything after the executable is the user’s', () => {
  assert.deepEqual(userArgs(['/opt/Probebook/probebook', 'a.ipynb', '--no-sandbox'], { isPackaged: true, mainScript }), ['a.ipynb', '--no-sandbox']);
});

test('opens notebooks resolved against the working directory, skipping switches and duplicates', () => {
  const result = launchFiles(['--enable-logging', 'labs/a.ipynb', '/abs/b.ipynb', './labs/a.ipynb', '--original-process-start-time=1'], '/home/u');
  assert.deepEqual(result, { files: ['/home/u/labs/a.ipynb', '/abs/b.ipynb'], problems: [] });
});

test('takes file URLs from a desktop entry as paths, and refuses remote ones', () => {
  const result = launchFiles(['file:///home/u/Lab%201.ipynb', 'file://server/share/x.ipynb'], '/w');
  assert.deepEqual(result.files, ['/home/u/Lab 1.ipynb']);
  assert.deepEqual(result.problems, ['file://server/share/x.ipynb: not a local file URL']);
});

test('after -- a file may start with a dash', () => {
  assert.deepEqual(launchFiles(['--', '-odd.ipynb'], '/w').files, ['/w/-odd.ipynb']);
});

test('says why an argument was not opened', () => {
  const result = launchFiles(['notes.txt', 'ok.ipynb'], '/w');
  assert.deepEqual(result.files, ['/w/ok.ipynb']);
  assert.deepEqual(result.problems, ['notes.txt: not a notebook (Probebook opens .ipynb files)']);
  const many = launchFiles(
    Array.from({ length: MAX_LAUNCH_FILES + 2 }, (_, i) => `n${i}.ipynb`),
    '/w',
  );
  assert.equal(many.files.length, MAX_LAUNCH_FILES);
  assert.equal(many.problems.length, 2);
  assert.match(many.problems[0]!, /at most 32 notebooks/);
});

test('takes a second instance’s files from its data only when well-formed', () => {
  assert.deepEqual(parseSecondInstanceData({ files: ['/a.ipynb', '/a.ipynb', '/b.ipynb'] }), { files: ['/a.ipynb', '/b.ipynb'] });
  assert.deepEqual(parseSecondInstanceData({ files: [] }), { files: [] });
  for (const data of [
    null,
    'x',
    {},
    { files: 'a.ipynb' },
    { files: ['relative.ipynb'] },
    { files: ['/etc/passwd'] },
    { files: ['/a\0.ipynb'] },
    { files: [42] },
    { files: Array.from({ length: MAX_LAUNCH_FILES + 1 }, (_, i) => `/n${i}.ipynb`) },
  ]) {
    assert.equal(parseSecondInstanceData(data), null, JSON.stringify(data)?.slice(0, 80));
  }
});
