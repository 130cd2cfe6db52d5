/**
 * Captures saved beside a notebook, for its packet view: tshark's full dissection of one packet
 * ("tshark -V") and the bytes past what the notebook embeds (a capture bigger than 2 MiB). Done by
 * the session host, as the user, on a file inside the notebook's folder only. The path comes from
 * the page (and the notebook's outputs, which anyone may have written), so it is confined: a
 * .pcap/.pcapng file whose real path (links resolved) is inside the folder.
 */
import { open, realpath, stat } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { execa } from 'execa';
import { missingToolMessage } from '../tools/missing-tool.ts';

/** Text kept of tshark's answer (one packet's dissection is a few KiB; a jumbo frame's hex more). */
const MAX_TEXT = 1024 * 1024;

/** tshark's `-V` dissection of packet `packet` (1-based) of `file` (relative to the notebook's folder). */
export async function dissectPacket(notebookPath: string | null, file: string, packet: number): Promise<string> {
  if (!Number.isInteger(packet) || packet < 1) throw new Error(`no packet ${packet}: packets are numbered from 1`);
  const real = await captureBeside(notebookPath, file);
  const result = await execa('tshark', ['-r', real, '-n', '-V', '-Y', `frame.number == ${packet}`], {
    reject: false,
    timeout: 20_000,
    stdin: 'ignore',
    maxBuffer: 16 * MAX_TEXT,
    env: { LC_ALL: 'C.UTF-8' },
  });
  if ((result as { code?: string }).code === 'ENOENT') throw new Error(missingToolMessage('tshark'));
  const text = String(result.stdout);
  if (result.exitCode !== 0 && !text) {
    const why = String(result.stderr)
      .split('\n')
      .find((l) => l.trim() && !/Running as user "root"/.test(l));
    throw new Error(`tshark could not read ${file}: ${why ?? `exit ${result.exitCode}`}`);
  }
  if (!text.trim()) throw new Error(`tshark found no packet ${packet} in ${file}`);
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}\n[probebook: cut at ${MAX_TEXT} characters]\n` : text;
}

/** Bytes read of a capture at the most per request (base64 makes a third more on the wire). */
const MAX_CAPTURE_READ = 4 * 1024 * 1024;

/** Up to `length` bytes of a capture beside the notebook from `offset`; `eof` once nothing follows. */
export async function readCapture(notebookPath: string | null, file: string, offset: number, length: number): Promise<{ bytes: Buffer; eof: boolean }> {
  const real = await captureBeside(notebookPath, file);
  const handle = await open(real, 'r');
  try {
    const size = (await handle.stat()).size;
    const want = Math.max(0, Math.min(length, MAX_CAPTURE_READ, size - offset));
    const bytes = Buffer.alloc(want);
    const { bytesRead } = want > 0 ? await handle.read(bytes, 0, want, offset) : { bytesRead: 0 };
    return { bytes: bytes.subarray(0, bytesRead), eof: offset + bytesRead >= size };
  } finally {
    await handle.close();
  }
}

/** The real path of `file` (relative to the notebook's folder) when it is a capture inside that folder. */
async function captureBeside(notebookPath: string | null, file: string): Promise<string> {
  if (!notebookPath) throw new Error('the notebook has no folder yet: save it, then capture again');
  if (isAbsolute(file) || !/\.(pcap|pcapng)$/i.test(file)) throw new Error(`${file} is not a capture beside the notebook (.pcap or .pcapng)`);
  const folder = await realpath(dirname(notebookPath));
  let real: string;
  try {
    real = await realpath(resolve(folder, file));
  } catch {
    throw new Error(`${file} is not there any more (moved or deleted?)`);
  }
  const inside = relative(folder, real);
  if (inside.startsWith(`..${sep}`) || inside === '..' || isAbsolute(inside)) throw new Error(`${file} is outside the notebook's folder`);
  if (!(await stat(real)).isFile()) throw new Error(`${file} is not a file`);
  return real;
}
