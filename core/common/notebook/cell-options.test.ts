import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkNotebookOptions, kernelspecFields, parameterNameProblem, parseDuration, resolveCell } from './cell-options.ts';
import { applyEdit, createNotebook, EditError } from './edits.ts';
import type { Cell, Notebook } from './model.ts';

function notebook(cells: Partial<Cell>[], metadata: Notebook['metadata'] = {}): Notebook {
  return {
    nbformat: 4,
    nbformatMinor: 5,
    metadata,
    cells: cells.map((c, i) => ({ id: `c${i}`, cellType: 'code', source: '', metadata: {}, outputs: [], executionCount: null, ...c })),
  };
}

test('IPython magics mark the language and become an empty first line, so line numbers stay', () => {
  const nb = notebook([{ source: '%%bash\necho hi' }, { source: '%%bpftrace\nBEGIN { exit(); }' }, { source: '%%sh  \nls' }, { source: '%%ts\nconst a = 1;' }]);
  assert.deepEqual(
    nb.cells.map((c) => resolveCell(c, nb).language),
    ['shell', 'bpftrace', 'shell', 'typescript'],
  );
  assert.equal(resolveCell(nb.cells[0]!, nb).code, '\necho hi');
  assert.equal(resolveCell(nb.cells[1]!, nb).code.split('\n')[1], 'BEGIN { exit(); }');
});

test('language comes from cell metadata, then the magic, then the notebook, then the kernelspec, then shell', () => {
  const cell = { source: 'echo', metadata: { probebook: { language: 'bpftrace' } } };
  assert.equal(resolveCell(notebook([cell]).cells[0]!, notebook([cell])).language, 'bpftrace');
  const nbDefault = notebook([{ source: 'x' }], { probebook: { language: 'typescript' } });
  assert.equal(resolveCell(nbDefault.cells[0]!, nbDefault).languageSource, 'notebook');
  const bashKernel = notebook([{ source: 'ls' }], { kernelspec: { name: 'bash', display_name: 'Bash', language: 'bash' } });
  assert.equal(resolveCell(bashKernel.cells[0]!, bashKernel).language, 'shell');
  const plain = notebook([{ source: 'ls' }]);
  assert.deepEqual([resolveCell(plain.cells[0]!, plain).language, resolveCell(plain.cells[0]!, plain).languageSource], ['shell', 'default']);
});

test('bad options are errors that name the cell and the value', () => {
  const nb = notebook([{}, { metadata: { probebook: { name: 'measure', language: 'python' } } }]);
  assert.throws(
    () => resolveCell(nb.cells[1]!, nb),
    /^CellOptionsError: cell 2 \(measure\): metadata\.probebook\.language must be "shell", "bpftrace" or "typescript" \(got "python"\)\.$/,
  );
  const t = notebook([{ metadata: { probebook: { timeout: 'ten' } } }]);
  assert.throws(() => resolveCell(t.cells[0]!, t), /cell 1: metadata\.probebook\.timeout: "ten" is not a duration/);
  const b = notebook([{ metadata: { probebook: { background: 'yes' } } }]);
  assert.throws(() => resolveCell(b.cells[0]!, b), /background must be true or false/);
  const m = notebook([{ source: '%%python\nprint(1)' }]);
  assert.throws(() => resolveCell(m.cells[0]!, m), /magic %%python, which Probebook does not run/);
});

test('durations as people write them', () => {
  assert.equal(parseDuration('10s'), 10_000);
  assert.equal(parseDuration('2m'), 120_000);
  assert.equal(parseDuration('500ms'), 500);
  assert.equal(parseDuration('1h30m'), 5_400_000);
  assert.equal(parseDuration('1.5s'), 1500);
  assert.equal(parseDuration('3'), 3000);
  assert.equal(parseDuration(2), 2000);
  for (const bad of ['', 'ten', '10x', '-1s', '0s', '5 s extra']) assert.throws(() => parseDuration(bad), /not a duration|positive/, bad);
});

test('edits insert, move, change and delete cells, and refuse what does not fit', () => {
  const nb = createNotebook('bpftrace');
  assert.equal(nb.cells.length, 1);
  applyEdit(nb, { kind: 'insert_cell', index: 1, cell: { id: 'b', cellType: 'markdown', source: '# hi', metadata: {} } });
  applyEdit(nb, { kind: 'move_cell', cellId: 'b', toIndex: 0 });
  assert.equal(nb.cells[0]!.id, 'b');
  applyEdit(nb, { kind: 'set_source', cellId: 'b', source: '# changed' });
  applyEdit(nb, { kind: 'set_cell_type', cellId: 'b', cellType: 'code' });
  assert.deepEqual([nb.cells[0]!.source, nb.cells[0]!.cellType], ['# changed', 'code']);
  applyEdit(nb, { kind: 'delete_cell', cellId: 'b' });
  assert.equal(nb.cells.length, 1);
  assert.throws(() => applyEdit(nb, { kind: 'delete_cell', cellId: 'nope' }), EditError);
  assert.throws(
    () => applyEdit(nb, { kind: 'insert_cell', index: 5, cell: { id: 'z', cellType: 'code', source: '', metadata: {} } }),
    /cannot insert a cell at 5/,
  );
});

test('parameters that would change what root runs or loads are refused, with the parameter named', () => {
  for (const name of [
    'PATH',
    'LD_PRELOAD',
    'LD_LIBRARY_PATH',
    'LD_ANYTHING',
    'BASH_ENV',
    'ENV',
    'PYTHONPATH',
    'PYTHONSTARTUP',
    'NODE_OPTIONS',
    'NODE_PATH',
    'PERL5OPT',
    'RUBYOPT',
    'GCONV_PATH',
    'HOSTALIASES',
    'SHELLOPTS',
    'BASHOPTS',
    'PS4',
    'PROMPT_COMMAND',
    'IFS',
    'CDPATH',
    'GLOBIGNORE',
    'BASH_FUNC_ip',
    'PROBEBOOK_CELL_ID',
    'HOME',
    'GIT_SSH_COMMAND',
  ]) {
    assert.match(parameterNameProblem(name) ?? '', new RegExp(`^parameter ${name} is refused: `), name);
  }
  assert.equal(parameterNameProblem('PATH'), 'parameter PATH is refused: it chooses which programs run; rename it (e.g. LAB_PATH)');
  for (const name of ['IFACE', 'N', 'NS', 'SECONDS', 'LAB_PATH', 'path', 'ld_preload']) assert.equal(parameterNameProblem(name), undefined, name);
  assert.match(parameterNameProblem('A-B') ?? '', /must be a valid variable name/);

  const nb = notebook([{ source: 'ip -br link' }], { probebook: { parameters: { IFACE: 'lo', PATH: '.', LD_PRELOAD: '/tmp/x.so' } } });
  assert.deepEqual(checkNotebookOptions(nb), [
    'parameter PATH is refused: it chooses which programs run; rename it (e.g. LAB_PATH).',
    'parameter LD_PRELOAD is refused: the dynamic loader loads libraries it names; rename it (e.g. LAB_LD_PRELOAD).',
  ]);
});

test('the kernelspec fields that decide a language are the ones resolveCell reads', () => {
  const nb = notebook([{ source: 'echo hi' }], {
    kernelspec: { name: 'probebook', display_name: 'Probebook', language: 'shell' },
    language_info: { name: 'bash', version: '5' },
  });
  assert.deepEqual(kernelspecFields(nb.metadata), { kernelspecName: 'probebook', kernelspecLanguage: 'shell', languageInfoName: 'bash' });
  assert.deepEqual(kernelspecFields({ kernelspec: 'x', language_info: [1] }), { kernelspecName: null, kernelspecLanguage: null, languageInfoName: null });
  // Each field on its own decides the language (so each is signed).
  for (const metadata of [
    { kernelspec: { name: 'tslab' } },
    { kernelspec: { language: 'typescript' } },
    { language_info: { name: 'typescript' } },
  ] as Notebook['metadata'][]) {
    const one = notebook([{ source: 'console.log(1)' }], metadata);
    assert.deepEqual(
      [resolveCell(one.cells[0]!, one).language, resolveCell(one.cells[0]!, one).languageSource],
      ['typescript', 'kernelspec'],
      JSON.stringify(metadata),
    );
  }
});

test('ready: output, port (number, tcp/N, udp/N), file and timeout, with a 30s default', () => {
  const ready = (value: unknown, source = '') => {
    const nb = notebook([{ source, metadata: { probebook: { name: 'server', background: true, ready: value } } as never }]);
    return resolveCell(nb.cells[0]!, nb).options.ready;
  };
  assert.deepEqual(ready({ port: 5201 }), { port: { protocol: 'tcp', port: 5201 }, timeout: '30s' });
  assert.deepEqual(ready({ port: 'tcp/5201', output: 'Server listening on \\d+' }), {
    port: { protocol: 'tcp', port: 5201 },
    output: 'Server listening on \\d+',
    timeout: '30s',
  });
  assert.deepEqual(ready({ port: 'udp/53', file: '/run/x.pid', timeout: '2m' }), { port: { protocol: 'udp', port: 53 }, file: '/run/x.pid', timeout: '2m' });
  assert.deepEqual(ready({ timeout: 90 }, '%%bpftrace\nBEGIN {}'), { timeout: '90s' }, 'a bpftrace cell may give only how long attaching may take');
});

test('bad ready values are errors that name the cell and the value', () => {
  const bad = (value: unknown, pattern: RegExp, source = '') => {
    const nb = notebook([{ source, metadata: { probebook: { name: 'server', ready: value } } as never }]);
    assert.throws(() => resolveCell(nb.cells[0]!, nb), pattern, JSON.stringify(value));
  };
  bad('port 80', /^CellOptionsError: cell 1 \(server\): metadata\.probebook\.ready must be an object like/);
  bad({ port: 70000 }, /cell 1 \(server\): metadata\.probebook\.ready\.port must be a port number 1-65535, "tcp\/PORT" or "udp\/PORT" \(got 70000\)/);
  bad({ port: 'sctp/80' }, /ready\.port must be a port number .* \(got "sctp\/80"\)/);
  bad({ port: 0 }, /ready\.port must be/);
  bad({ port: 80.5 }, /ready\.port must be/);
  bad({ port: 'tcp/080' }, /ready\.port must be/);
  bad({ output: '(' }, /cell 1 \(server\): metadata\.probebook\.ready\.output "\(" is not a regular expression/);
  bad({ output: '' }, /ready\.output must be a regular expression/);
  bad({ file: 'relative/path' }, /ready\.file must be an absolute path \(got "relative\/path"\)/);
  bad({ port: 80, timeout: 'soon' }, /cell 1 \(server\): metadata\.probebook\.ready\.timeout: "soon" is not a duration/);
  bad({ port: 80, host: 'x' }, /ready has no option "host" \(it takes output, port, file and timeout\)/);
  bad({ timeout: '10s' }, /cell 1 \(server\): metadata\.probebook\.ready must name what to wait for: output, port or file/);
});
