// Root TypeScript cells load no code another local user could have written (issue 12): real
// users plant packages and modules, a root context refuses them before they run, and a context
// running as a user (as user cells do) still resolves as Node does.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { TypeScriptKernel } from '../../core/node/kernels/typescript-kernel.ts';
import type { ExecutionRequest } from '../../core/node/kernels/kernel.ts';
import type { CellErrorData } from '../../core/common/mime.ts';
import { needs } from '../support/needs.ts';
import { createTestUser, type TestUser } from '../support/test-users.ts';

const root = resolve(import.meta.dirname, '../..');

function folder(t: TestContext, prefix: string, mode = 0o755): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dir, mode);
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Writes `files` as `user` (a real process with the user's ids), folders made as needed. */
function writeAs(user: TestUser, files: Record<string, string>, umask = 0o022): void {
  const script = `process.umask(${umask}); const fs = require('node:fs'), path = require('node:path'); for (const [file, text] of Object.entries(JSON.parse(process.argv[1]))) { fs.mkdirSync(path.dirname(file), { recursive: true }); fs.writeFileSync(file, text); }`;
  execFileSync('setpriv', [`--reuid=${user.uid}`, `--regid=${user.gid}`, '--clear-groups', process.execPath, '-e', script, JSON.stringify(files)], {
    env: user.env(),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}

/**
 * A sticky, world-writable folder like /tmp, where another user planted `node_modules/evil`
 * (it leaves a file named after its uid in `marks` when it runs), and a folder for the notebook.
 */
function plantedFolder(t: TestContext) {
  const planter = createTestUser(t, 'pb-import-planter');
  const shared = folder(t, 'pb-import-shared-', 0o1777);
  const marks = folder(t, 'pb-import-marks-', 0o1777);
  writeAs(planter, {
    [join(shared, 'node_modules/evil/index.js')]:
      `require('node:fs').writeFileSync(${JSON.stringify(marks)} + '/ran-as-' + process.getuid(), ''); module.exports = 'evil';`,
  });
  return { planter, shared, marks, ranAs: () => readdirSync(marks) };
}

async function runCell(kernel: TypeScriptKernel, code: string, cwd: string) {
  let out = '';
  const errors: CellErrorData[] = [];
  const req: ExecutionRequest = {
    notebookKey: cwd,
    cellId: 'c',
    language: 'typescript',
    code,
    cwd,
    env: {},
    args: [],
    signal: new AbortController().signal,
    sink: { stream: (_n, text) => (out += text), display: () => undefined, update: () => undefined, clear: () => undefined, error: (e) => errors.push(e) },
  };
  const { status } = await kernel.execute(req);
  return { status, out, error: errors[0]?.evalue ?? '' };
}

/** Runs one cell in a TypeScript kernel of `user`'s own (a real process as that user, as user cells run). */
function runCellAs(user: TestUser, code: string, cwd: string): Promise<{ status: string; out: string; error: string }> {
  const script = [
    `import { TypeScriptKernel } from ${JSON.stringify(join(root, 'core/node/kernels/typescript-kernel.ts'))};`,
    "const kernel = new TypeScriptKernel(); let out = ''; const errors = [];",
    `const { status } = await kernel.execute({ notebookKey: 'nb', cellId: 'c', language: 'typescript', code: ${JSON.stringify(code)}, cwd: ${JSON.stringify(cwd)}, env: {}, args: [], signal: new AbortController().signal, sink: { stream: (_n, t) => (out += t), display() {}, update: () => undefined, clear: () => undefined, error: (e) => errors.push(e) } });`,
    'await kernel.dispose();',
    "process.stdout.write(JSON.stringify({ status, out, error: errors[0]?.evalue ?? '' }));",
  ].join('\n');
  const args = [
    `--reuid=${user.uid}`,
    `--regid=${user.gid}`,
    '--clear-groups',
    process.execPath,
    '--import',
    import.meta.resolve('tsx'),
    '--input-type=module',
    '-e',
    script,
  ];
  return new Promise((done, fail) =>
    execFile('setpriv', args, { env: user.env(), cwd: user.home }, (error, stdout, stderr) =>
      error ? fail(new Error(`${error.message}\n${stderr}`)) : done(JSON.parse(stdout)),
    ),
  );
}

test('a package another user planted in a shared folder above the notebook never runs as root: import and import() fail naming it, its owner and mode', async (t) => {
  if (!needs(t, { root: true, tools: ['useradd', 'userdel', 'setpriv'] })) return;
  const { planter, shared, ranAs } = plantedFolder(t);
  const lab = join(shared, 'lab');
  mkdirSync(lab, { mode: 0o755 });
  const kernel = new TypeScriptKernel({ invokingUid: 0 });
  t.after(() => kernel.dispose());
  const refusal = `Refused to load ${shared}/node_modules/evil (imported as 'evil') as root: ${shared}/node_modules belongs to ${planter.name} (uid ${planter.uid}), mode 0755.`;
  for (const code of ["import evil from 'evil';\nconsole.log(evil);", "const evil = await import('evil');"]) {
    const cell = await runCell(kernel, code, lab);
    assert.equal(cell.status, 'failed', `${code}: ${cell.out}`);
    assert.ok(cell.error.includes(refusal), cell.error);
    assert.match(cell.error, /Install evil next to the notebook, in a folder only you can write/);
  }
  assert.deepEqual(ranAs(), [], 'the planted package never ran');
  // A context running as a user (user cells) resolves as Node does: the same import finds the package.
  const owner = createTestUser(t, 'pb-import-owner');
  const asUser = await runCellAs(owner, "const { default: evil } = await import('evil');\nconsole.log(evil);", lab);
  assert.deepEqual([asUser.status, asUser.out, asUser.error], ['ok', 'evil\n', '']);
  assert.deepEqual(ranAs(), [`ran-as-${owner.uid}`]);
});

test("packages the notebook's owner installed next to it load as root; what they import or require from a planted package is refused", async (t) => {
  if (!needs(t, { root: true, tools: ['useradd', 'userdel', 'setpriv'] })) return;
  const { planter, shared, ranAs } = plantedFolder(t);
  const owner = createTestUser(t, 'pb-import-owner');
  const lab = join(shared, 'lab-of-owner');
  const modules = join(lab, 'node_modules');
  // umask 002, as many distributions give users: group write for the owner's own group is no one else's.
  writeAs(
    owner,
    {
      [join(modules, 'good/package.json')]: JSON.stringify({ name: 'good', type: 'module', exports: './index.js' }),
      [join(modules, 'good/index.js')]: 'export const answer = 42;',
      [join(modules, 'optional-evil/index.js')]: "let found = 'without evil'; try { require('evil'); found = 'with evil'; } catch {} module.exports = found;",
      [join(modules, 'needs-evil/package.json')]: JSON.stringify({ name: 'needs-evil', type: 'module', exports: './index.js' }),
      [join(modules, 'needs-evil/index.js')]: "import evil from 'evil'; export default evil;",
    },
    0o002,
  );
  const kernel = new TypeScriptKernel({ invokingUid: owner.uid });
  t.after(() => kernel.dispose());
  const fine = await runCell(kernel, "import { answer } from 'good';\nimport optional from 'optional-evil';\nconsole.log(answer, optional);", lab);
  assert.deepEqual([fine.status, fine.out, fine.error], ['ok', '42 without evil\n', '']);
  const nested = await runCell(kernel, "await import('needs-evil');", lab);
  assert.equal(nested.status, 'failed');
  assert.ok(
    nested.error.includes(
      `Refused to load ${shared}/node_modules/evil/index.js (imported as 'evil') as root: ${shared}/node_modules belongs to ${planter.name} (uid ${planter.uid}), mode 0755.`,
    ),
    nested.error,
  );
  assert.ok(nested.error.includes(`files and folders of root or ${owner.name} (uid ${owner.uid}) that no one else can change`), nested.error);
  assert.deepEqual(ranAs(), [], 'the planted package never ran');
});

test("a module in a folder others can write, one another group can change, or a link to another user's file is refused as root", async (t) => {
  if (!needs(t, { root: true, tools: ['useradd', 'userdel', 'setpriv'] })) return;
  const planter = createTestUser(t, 'pb-import-planter');
  const marks = folder(t, 'pb-import-marks-', 0o1777);
  const marking = (name: string) => `import { writeFileSync } from 'node:fs'; writeFileSync(${JSON.stringify(join(marks, name))}, '');`;
  const kernel = new TypeScriptKernel({ invokingUid: 0 });
  t.after(() => kernel.dispose());

  const open = folder(t, 'pb-import-open-', 0o777);
  writeFileSync(join(open, 'helper.mjs'), marking('open'));
  const inOpen = await runCell(kernel, "import './helper.mjs';", open);
  assert.equal(inOpen.status, 'failed');
  assert.ok(
    inOpen.error.includes(
      `Refused to load ${open}/helper.mjs (imported as './helper.mjs') as root: ${open} can be changed by every user (mode 0777, owner root (uid 0)).`,
    ),
    inOpen.error,
  );
  assert.match(inOpen.error, /Keep the module in a folder only you can write/);

  const lab = folder(t, 'pb-import-lab-');
  writeFileSync(join(lab, 'shared-group.mjs'), marking('group'));
  chownSync(join(lab, 'shared-group.mjs'), 0, planter.gid);
  chmodSync(join(lab, 'shared-group.mjs'), 0o664);
  const group = await runCell(kernel, "await import('./shared-group.mjs');", lab);
  assert.equal(group.status, 'failed');
  assert.ok(
    group.error.includes(`${lab}/shared-group.mjs can be changed by the members of group ${planter.name} (mode 0664, owner root (uid 0))`),
    group.error,
  );

  writeAs(planter, { [join(planter.home, 'trap.mjs')]: marking('link') });
  symlinkSync(join(planter.home, 'trap.mjs'), join(lab, 'linked.mjs'));
  const link = await runCell(kernel, "await import('./linked.mjs');", lab);
  assert.equal(link.status, 'failed');
  assert.ok(
    link.error.includes(
      `Refused to load ${lab}/linked.mjs (a link to ${planter.home}/trap.mjs) (imported as './linked.mjs') as root: ${planter.home} belongs to ${planter.name} (uid ${planter.uid})`,
    ),
    link.error,
  );
  assert.deepEqual(readdirSync(marks), [], 'none of the modules ran');
});
