/**
 * A cell's binary stdout, in the unprivileged runner: a pcap/pcapng capture (`tcpdump -U -w -`,
 * `cat x.pcap`) becomes a live packet view, other binary output a note with a hex preview. The
 * kernel host only forwarded the bytes; they are read here (core/common/packets), as untrusted data.
 *
 * The whole stream is saved beside the notebook (`lab.captures/<cell>-<time>.pcap`), by this
 * process (the user), so it opens in Wireshark; the output keeps the first
 * {@link EMBED_LIMIT_BYTES} as base64, so a saved notebook renders its packets anywhere.
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { MIME } from '../../common/mime.ts';
import type { OutputItem } from '../../common/notebook/model.ts';
import { CaptureReader, detectCaptureFormat } from '../../common/packets/capture-reader.ts';
import { summarizePacket, DecodeContext } from '../../common/packets/decode.ts';
import { EMBED_LIMIT_BYTES, type PacketsPayload } from '../../common/packets/payload.ts';
import { formatPacketText, type SummaryRow } from '../../common/packets/text-summary.ts';

/** Live views are updated at most this often while the capture runs. */
const UPDATE_MS = 500;
/** Packets summarised for the `text/plain` fallback. */
const TEXT_ROWS = 200;
/** Bytes shown as hex for binary output that is not a capture. */
const HEX_PREVIEW = 256;

export interface CaptureSink {
  display(items: OutputItem[], options: { displayId: string }): void;
  update(displayId: string, items: OutputItem[]): void;
}

export interface CaptureOutputOptions {
  /** The notebook file (its folder gets the captures); undefined for a notebook never saved. */
  notebookPath?: string;
  cellId: string;
  /** The cell's command line, for the view (its filter). */
  command?: string;
  sink: CaptureSink;
  /** Clock and timers (tests). */
  now?: () => Date;
}

/** One execution's binary stdout. Call {@link push} per chunk, {@link end} when the cell ended. */
export class CaptureOutput {
  readonly #o: CaptureOutputOptions;
  readonly #displayId: string;
  readonly #reader = new CaptureReader();
  readonly #ctx = new DecodeContext();
  readonly #head: Buffer[] = [];
  /** Bytes kept for the notebook, and how many packets they hold whole. */
  #embedded: Buffer[] = [];
  #embeddedBytes = 0;
  #embeddedPackets = 0;
  #embedding = true;
  #bytes = 0;
  #count = 0;
  /** First packets, summarised, for the text fallback. */
  readonly #rows: SummaryRow[] = [];
  #kind: 'undecided' | 'capture' | 'binary' = 'undecided';
  #fd: number | undefined;
  #file: string | undefined;
  #saveProblem: string | undefined;
  #shown = false;
  #timer: NodeJS.Timeout | undefined;
  #dirty = false;

  constructor(options: CaptureOutputOptions) {
    this.#o = options;
    this.#displayId = `binary-${options.cellId}-${Date.now().toString(36)}`;
  }

  push(chunk: Uint8Array): void {
    const data = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    this.#bytes += data.length;
    if (this.#kind === 'undecided') {
      this.#head.push(data);
      const head = Buffer.concat(this.#head);
      const format = detectCaptureFormat(head);
      if (format === 'more') return;
      this.#kind = format ? 'capture' : 'binary';
      this.#open(format ?? 'bin');
      this.#head.length = 0;
      this.#take(head);
    } else {
      this.#take(data);
    }
    this.#dirty = true;
    if (!this.#shown) this.#show();
    else this.#timer ??= setTimeout(() => this.#flush(), UPDATE_MS);
  }

  /** The stream ended: the last packets, the final view, the file closed. */
  end(): void {
    if (this.#kind === 'undecided') {
      if (this.#bytes === 0) return;
      // Fewer bytes than a magic number: binary all the same.
      this.#kind = 'binary';
      this.#open('bin');
      this.#take(Buffer.concat(this.#head));
    }
    if (this.#kind === 'capture') this.#reader.end();
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
    this.#dirty = true;
    this.#flush(false);
  }

  #take(data: Buffer): void {
    this.#save(data);
    if (this.#kind === 'capture') {
      for (const record of this.#reader.push(data)) {
        this.#count++;
        if (this.#rows.length < TEXT_ROWS) {
          const iface = this.#reader.interfaces[record.iface];
          this.#rows.push({ record, summary: summarizePacket(record, iface, this.#ctx) });
        }
      }
    }
    if (!this.#embedding) return;
    if (this.#embeddedBytes + data.length > EMBED_LIMIT_BYTES) {
      // Keep whole packets only: what the reader has seen whole so far.
      this.#embedding = false;
      const room = EMBED_LIMIT_BYTES - this.#embeddedBytes;
      if (this.#kind === 'binary') this.#embedded.push(data.subarray(0, room));
      this.#embeddedPackets = this.#kind === 'capture' ? this.#packetsWithin() : 0;
      return;
    }
    this.#embedded.push(data);
    this.#embeddedBytes += data.length;
  }

  /** Packets whole within the embedded bytes (read again: the embedded part is at most 2 MiB). */
  #packetsWithin(): number {
    const reader = new CaptureReader();
    return reader.push(Buffer.concat(this.#embedded)).length;
  }

  #open(extension: string): void {
    const path = this.#o.notebookPath;
    if (!path) {
      this.#saveProblem = 'the notebook has no folder yet (save it first): the capture was not saved as a file';
      return;
    }
    const stem = basename(path).replace(/\.ipynb$/i, '');
    const folder = join(dirname(path), `${stem}.captures`);
    const stamp = (this.#o.now?.() ?? new Date())
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d+Z$/, 'Z');
    const safeCell = this.#o.cellId.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64);
    const file = join(folder, `${safeCell}-${stamp}.${extension}`);
    try {
      mkdirSync(folder, { recursive: true });
      // O_EXCL, no link followed: never onto a file that is already there.
      this.#fd = openSync(file, 'wx', 0o644);
      this.#file = relative(dirname(path), file);
    } catch (error) {
      this.#saveProblem = `the capture could not be saved as ${file}: ${(error as Error).message}`;
    }
  }

  #save(data: Buffer): void {
    if (this.#fd === undefined) return;
    try {
      writeSync(this.#fd, data);
    } catch (error) {
      this.#saveProblem = `saving the capture stopped: ${(error as Error).message}`;
      closeSync(this.#fd);
      this.#fd = undefined;
    }
  }

  #show(): void {
    this.#shown = true;
    this.#dirty = false;
    this.#o.sink.display(this.#items(true), { displayId: this.#displayId });
  }

  #flush(live = true): void {
    this.#timer = undefined;
    if (!this.#dirty) return;
    this.#dirty = false;
    if (!this.#shown) {
      this.#shown = true;
      this.#o.sink.display(this.#items(live), { displayId: this.#displayId });
    } else {
      this.#o.sink.update(this.#displayId, this.#items(live));
    }
  }

  #items(live: boolean): OutputItem[] {
    if (this.#kind === 'binary') return [{ mime: MIME.plain, data: this.#binaryText() }];
    const embedded = Buffer.concat(this.#embedded);
    const whole = this.#embedding;
    const payload: PacketsPayload = {
      version: 1,
      source: 'capture',
      capture: {
        format: this.#reader.format ?? 'pcap',
        base64: embedded.toString('base64'),
        ...(whole ? {} : { embeddedPackets: this.#embeddedPackets }),
        ...(this.#file ? { file: this.#file } : {}),
        ...(this.#saveProblem ? { saveProblem: this.#saveProblem } : {}),
        bytes: this.#bytes,
      },
      count: this.#count,
      live,
      problems: this.#reader.problems.map((p) => `at byte ${p.offset}: ${p.message}`),
      ...(this.#o.command ? { command: this.#o.command } : {}),
    };
    return [
      { mime: MIME.packets, data: payload as never },
      { mime: MIME.plain, data: this.#captureText(live) },
    ];
  }

  #captureText(live: boolean): string {
    const nanoseconds = this.#reader.interfaces.some((i) => i.tsUnitsPerSecond > 1_000_000);
    const where = this.#file ? `, saved as ${this.#file}` : '';
    const head = `${this.#reader.format ?? 'capture'}: ${this.#count.toLocaleString('en-US')} packets, ${this.#bytes.toLocaleString('en-US')} bytes${where}${live ? ' (capturing)' : ''}\n`;
    return head + formatPacketText(this.#rows, { maxLines: TEXT_ROWS, nanoseconds, total: this.#count });
  }

  #binaryText(): string {
    const where = this.#file ? `saved as ${this.#file}` : (this.#saveProblem ?? 'not saved');
    const first = Buffer.concat(this.#embedded).subarray(0, HEX_PREVIEW);
    const lines: string[] = [];
    for (let at = 0; at < first.length; at += 16) {
      const row = first.subarray(at, at + 16);
      const hex = [...row].map((b) => b.toString(16).padStart(2, '0')).join(' ');
      const ascii = [...row].map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
      lines.push(`${at.toString(16).padStart(8, '0')}  ${hex.padEnd(47)}  ${ascii}`);
    }
    return `[binary output: ${this.#bytes.toLocaleString('en-US')} bytes, not text and not a pcap/pcapng capture; ${where}]\n${lines.join('\n')}\n`;
  }
}
