// PNG fallbacks a page sends with a save (save_request.figures, docs/export.md), from a raw
// WebSocket client of the real `probebook serve`: malformed or hostile ones (not base64, not a
// PNG, a header that lies about the size, too large, a bad hash) are refused with an error naming
// the field and nothing is written; a PNG drawn from another version of the figure is not taken
// (the host hashes the figure it holds); a good one is saved with the host's hash and the notebook
// stays trusted. The host cannot start a browser here (PROBEBOOK_CHROMIUM names nothing).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import { figureHash } from '../../core/common/export/figure-fallbacks.ts';
import { HostClient as Client, signIn } from '../support/host-client.ts';
import { type ServeHandle, startServe } from '../support/probebook-serve.ts';

/** A real PNG (8-bit grey) `width` × `height`, as zlib and the PNG spec make it. */
function png(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), 8 + data.length);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // greyscale
  const rows = Buffer.alloc((width + 1) * height, 0xff);
  for (let y = 0; y < height; y++) rows[y * (width + 1)] = 0; // filter: none
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const figure = { data: [{ type: 'bar', x: ['a', 'b'], y: [2, 1] }], layout: {} };

test('PNGs sent with a save: hostile ones refused, a stale one not taken, a good one saved with the host’s hash and trust kept', {
  timeout: 60_000,
}, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pb-figure-pngs-'));
  const path = join(dir, 'lab.ipynb');
  writeFileSync(
    path,
    JSON.stringify({
      nbformat: 4,
      nbformat_minor: 5,
      metadata: {},
      cells: [
        {
          id: 'p',
          cell_type: 'code',
          metadata: {},
          source: '// plot',
          outputs: [{ output_type: 'display_data', data: { 'application/vnd.plotly.v1+json': figure, 'text/plain': ['<Figure>'] }, metadata: {} }],
          execution_count: null,
        },
      ],
    }),
  );
  const before = readFileSync(path, 'utf8');
  let serve: ServeHandle;
  try {
    serve = await startServe(t, dir, { env: { PROBEBOOK_CHROMIUM: join(dir, 'no-chromium-here') } });
  } finally {
    t.after(() => rmSync(dir, { recursive: true, force: true }));
  }
  const port = Number(new URL(serve.url).port);
  const cookie = await signIn(port, serve.token);
  const page = await Client.connect({ port, cookie });
  const snapshot = await page.openTrusted('lab.ipynb');
  const { notebookId } = snapshot;
  const outputId = snapshot.notebook.cells[0]!.outputs[0]!.outputId;
  const good = { outputId, figure: figureHash(figure), png: png(800, 420).toString('base64'), width: 800, height: 420 };

  const save = async (figures: unknown) => {
    const requestId = page.id();
    page.send({ type: 'save_request', requestId, notebookId, figures });
    return Promise.race([page.next('saved', (m) => m.requestId === requestId), page.next('error', (m) => m.requestId === requestId)]);
  };
  const refused: [string, unknown, RegExp][] = [
    ['not a list', { a: 1 }, /^figures must be a list of at most 256 figures/],
    ['not base64', [{ ...good, png: `${good.png.slice(0, 40)}<svg onload=alert(1)>` }], /^figures\[0\]\.png must be base64 text of a PNG/],
    ['a data: URL', [{ ...good, png: `data:image/png;base64,${good.png}` }], /^figures\[0\]\.png must be base64 text of a PNG/],
    [
      'a JPEG',
      [{ ...good, png: Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), png(800, 420)]).toString('base64') }],
      /^figures\[0\]\.png must be a PNG/,
    ],
    ['a header that lies', [{ ...good, png: png(16, 16).toString('base64') }], /^figures\[0\]\.png is 16×16 pixels, not the 800×420 it claims/],
    ['huge claimed size', [{ ...good, width: 100_000 }], /^figures\[0\]\.width must be/],
    ['too large', [{ ...good, png: 'A'.repeat(4 * 1024 * 1024 + 4) }], /^figures\[0\]\.png must be a base64 PNG of at most/],
    ['a bad hash', [{ ...good, figure: '../../etc/passwd' }], /^figures\[0\]\.figure must be a figure hash/],
    ['no output id', [{ ...good, outputId: '' }], /^figures\[0\]\.outputId must be/],
  ];
  for (const [name, figures, message] of refused) {
    const reply = await save(figures);
    assert.equal(reply.type, 'error', name);
    assert.equal(reply.type === 'error' && reply.code, 'bad_message', name);
    assert.match(reply.type === 'error' ? reply.message : '', message, name);
  }
  assert.equal(readFileSync(path, 'utf8'), before, 'nothing was written');

  // Drawn from another version of the figure: saved without it (the host, with no browser, says so).
  const stale = await save([{ ...good, figure: figureHash({ ...figure, layout: { title: 'older' } }) }]);
  assert.equal(stale.type, 'saved');
  assert.equal(JSON.parse(readFileSync(path, 'utf8')).cells[0].outputs[0].data['image/png'], undefined);
  assert.match(serve.stderr(), /figures are saved without PNG fallbacks/);

  const saved = await save([good]);
  assert.equal(saved.type, 'saved');
  const output = JSON.parse(readFileSync(path, 'utf8')).cells[0].outputs[0];
  assert.equal(output.data['image/png'], good.png);
  assert.deepEqual(output.metadata, { 'image/png': { width: 800, height: 420 }, probebook: { pngOf: figureHash(figure) } });

  const other = await Client.connect({ port, cookie });
  other.send({ type: 'open_notebook', requestId: 'again', path: 'lab.ipynb' });
  assert.equal((await other.next('notebook_opened')).snapshot.trusted, true, 'signed again with its PNG');
  page.close();
  other.close();
});
