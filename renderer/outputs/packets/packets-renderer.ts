/**
 * `application/vnd.probebook.packets+json` (`PacketsPayload`) as a packet view that reads like
 * Wireshark: the packet list (packet-list-view.ts), a display filter with its count, the selected
 * packet's tree and bytes (packet-details-view.ts), a link-layer toggle, and above them where the
 * capture was saved and what was wrong with it. A big capture is read a slice per frame (the page
 * never freezes; the first rows show at once); a live capture's new versions are appended.
 */
import { formatBytes } from '../../../core/common/format.ts';
import { MIME } from '../../../core/common/mime.ts';
import { compileDisplayFilter } from '../../../core/common/packets/display-filter.ts';
import type { PacketsPayload } from '../../../core/common/packets/payload.ts';
import { button, copyButton, h } from '../dom.ts';
import { inPlaceRenderer } from '../in-place-renderer.ts';
import type { OutputServices } from '../services.ts';
import { Base64Feed, MAX_CAPTURE_BYTES } from './base64-feed.ts';
import { CaptureSource } from './capture-source.ts';
import { PacketDetailsView } from './packet-details-view.ts';
import { PacketListModel } from './packet-list-model.ts';
import { PacketListView } from './packet-list-view.ts';
import { asPacketsPayload, stringsOf } from './payload-shape.ts';
import { MAX_LIST_PACKETS } from './record-store.ts';
import { TextSource } from './text-source.ts';

/** Time a frame spends reading and filtering, in ms. */
const FRAME_BUDGET_MS = 12;
/** Base64 characters decoded per step (~750 KB of capture). */
const STEP_CHARS = 1 << 20;
/** Bytes of the capture file asked of the host at a time (the protocol's most). */
const FILE_CHUNK_BYTES = 4 * 1024 * 1024;
/** Reader problems listed at the most. */
const MAX_PROBLEMS_SHOWN = 20;

class PacketsView {
  readonly element: HTMLElement;
  private readonly head = h('div', 'pb-pk-top');
  private readonly notes = h('div', 'pb-pk-notes');
  private readonly filterInput: HTMLInputElement;
  private readonly filterError = h('div', 'pb-pk-filter-error');
  private readonly count = h('span', 'pb-pk-count');
  private readonly list: PacketListView;
  private readonly details = new PacketDetailsView();
  /** tshark's full dissection of the selected packet, on demand. */
  private readonly tshark = h('div', 'pb-pk-tshark');
  private readonly services: OutputServices;
  /** Which dissection is wanted now: an answer for another packet is dropped. */
  private dissecting = 0;
  /** Reading the capture file past what the notebook embeds: where next, and how it went. */
  private file = { offset: -1, reading: false, done: false, error: '' };
  private payload!: PacketsPayload;
  private source!: CaptureSource | TextSource;
  private feed: Base64Feed | null = null;
  private model!: PacketListModel;
  private readError = '';
  private notesText = '';
  private listFull = false;
  private ended = false;
  private timeWidth = '';
  private frame = 0;
  private disposed = false;

  constructor(parent: HTMLElement, payload: PacketsPayload, services: OutputServices = {}) {
    this.services = services;
    this.tshark.hidden = true;
    this.filterInput = h('input', 'pb-filter pb-pk-filter');
    this.filterInput.type = 'search';
    this.filterInput.placeholder = 'Display filter: tcp, port 53, host 10.0.0.1 and not arp …';
    this.filterInput.setAttribute('aria-label', 'Display filter');
    this.filterInput.spellcheck = false;
    this.filterInput.addEventListener('input', () => this.applyFilter());
    const linkBox = h('input');
    linkBox.type = 'checkbox';
    linkBox.checked = true;
    linkBox.addEventListener('change', () => this.details.setShowLink(linkBox.checked));
    const link = h('label', 'pb-pk-link', linkBox, 'Link layer');
    link.title = 'Show the link layer (Ethernet, Linux cooked …) in the details and the bytes';
    const tools = h('div', 'pb-pk-tools', this.filterInput, this.count, h('span', 'pb-spacer'), link);
    this.list = new PacketListView(this.reset(payload), (packet) => this.showDetails(packet));
    this.element = h('div', 'pb-pk', this.head, this.notes, tools, this.filterError, this.list.element, this.details.element, this.tshark);
    this.element.style.setProperty('--pb-pk-time-w', this.timeWidth);
    parent.append(this.element);
    this.drawHead();
    this.schedule();
  }

  /** A new version of the payload: appended to what is read when it continues it, read afresh otherwise. */
  update(payload: PacketsPayload): void {
    const old = this.payload;
    this.payload = payload;
    let continues = false;
    if (payload.source === 'capture' && old.source === 'capture' && this.feed && this.source instanceof CaptureSource) {
      // Once the stream was read to its end, only the same bytes continue it.
      continues = this.ended ? payload.capture!.base64 === old.capture!.base64 : this.feed.update(payload.capture!.base64);
    } else if (payload.source === 'text' && this.source instanceof TextSource) {
      continues = this.source.extend(payload.text!.packets);
    }
    if (!continues) {
      const selected = this.list.selected;
      this.list.setModel(this.reset(payload));
      this.applyFilter();
      if (selected >= 0 && selected < this.model.total) this.list.select(selected);
      else this.details.show(null);
    }
    this.drawHead();
    this.schedule();
  }

  dispose(): void {
    this.disposed = true;
    cancelAnimationFrame(this.frame);
    this.element.remove();
  }

  private reset(payload: PacketsPayload): PacketListModel {
    this.payload = payload;
    this.readError = '';
    this.listFull = false;
    this.ended = false;
    this.file = { offset: -1, reading: false, done: false, error: '' };
    if (payload.source === 'capture') {
      this.source = new CaptureSource();
      this.feed = new Base64Feed();
      this.feed.update(payload.capture!.base64);
    } else {
      this.source = new TextSource(payload.text!.packets.slice(0, MAX_LIST_PACKETS), payload.text!.linkType);
      this.feed = null;
    }
    this.model = new PacketListModel(this.source);
    // Times as tcpdump printed them may be long (`-tttt`: date and time); captures' fit 16 characters.
    const times = payload.source === 'text' ? [payload.text!.packets[0], payload.text!.packets.at(-1)].map((t) => String(t?.time ?? '').length) : [];
    this.timeWidth = `${Math.min(30, Math.max(16, ...times.map((n) => n + 2)))}ch`;
    this.element?.style.setProperty('--pb-pk-time-w', this.timeWidth);
    return this.model;
  }

  private applyFilter(): void {
    const text = this.filterInput.value;
    const compiled = compileDisplayFilter(text);
    this.filterInput.classList.toggle('pb-pk-filter-bad', !compiled.ok);
    this.filterInput.setAttribute('aria-invalid', String(!compiled.ok));
    if (!compiled.ok) {
      // The list keeps the last good filter; the error points at the character.
      const at = Math.min(compiled.position, text.length);
      this.filterError.replaceChildren(
        h('span', '', `${compiled.error} (at character ${at + 1}): `),
        h('code', '', text.slice(0, at), h('mark', '', text.slice(at, at + 1) || ' '), text.slice(at + 1)),
      );
      this.filterError.hidden = false;
      return;
    }
    this.filterError.hidden = true;
    this.model.setFilter(text.trim() ? compiled.test : null);
    this.list.refresh(this.emptyText());
    this.drawCount();
    this.schedule();
  }

  private showDetails(packet: number): void {
    const row = this.model.row(packet);
    this.details.show(this.model.details(packet), `Packet ${row.no}`);
    this.offerDissection(row.no);
  }

  /** "tshark -V" for the selected packet, where the page has a host and the capture a file beside the notebook. */
  private offerDissection(no: number): void {
    const file = this.payload.source === 'capture' ? this.payload.capture?.file : undefined;
    const dissect = this.services.dissectPacket;
    this.dissecting++;
    this.tshark.hidden = !file || !dissect;
    if (!file || !dissect) return;
    const out = h('pre', 'pb-pk-tshark-text');
    out.hidden = true;
    const wanted = this.dissecting;
    const ask = button('Full dissection (tshark -V)', `tshark -V of packet ${no} of ${file}, run by the host`, () => {
      ask.disabled = true;
      ask.textContent = 'tshark is dissecting…';
      dissect(file, no).then(
        (text) => {
          if (wanted !== this.dissecting) return;
          ask.remove();
          out.textContent = text;
          out.hidden = false;
        },
        (error: Error) => {
          if (wanted !== this.dissecting) return;
          ask.disabled = false;
          ask.textContent = 'Full dissection (tshark -V)';
          out.textContent = error.message;
          out.classList.add('pb-pk-tshark-error');
          out.hidden = false;
        },
      );
    });
    this.tshark.replaceChildren(ask, out);
  }

  private schedule(): void {
    if (!this.frame && !this.disposed) this.frame = requestAnimationFrame(this.onFrame);
  }

  private readonly onFrame = (): void => {
    this.frame = 0;
    if (this.disposed) return;
    const until = performance.now() + FRAME_BUDGET_MS;
    const timeUp = () => performance.now() >= until;
    this.read(timeUp);
    const busy = this.model.work(timeUp);
    this.drawNotes();
    this.list.refresh(this.emptyText());
    this.drawCount();
    if (busy || this.feed?.pending) this.schedule();
  };

  private read(timeUp: () => boolean): void {
    const feed = this.feed;
    if (!feed || !(this.source instanceof CaptureSource) || this.readError) return;
    while (feed.pending && !this.listFull && !timeUp()) {
      let bytes: Uint8Array | undefined;
      try {
        bytes = feed.next(STEP_CHARS);
      } catch (err) {
        this.readError = (err as Error).message;
        return;
      }
      if (bytes && !this.source.push(bytes)) this.listFull = true;
    }
    if (!feed.pending && !this.payload.live && !this.ended) {
      if (this.moreInFile()) {
        this.readFile();
        return;
      }
      this.source.reader.end();
      this.ended = true;
    }
  }

  /** Whether the capture goes on in its file beside the notebook and the host can read it for us. */
  private moreInFile(): boolean {
    const capture = this.payload.source === 'capture' ? this.payload.capture : undefined;
    if (!capture || typeof capture.embeddedPackets !== 'number' || typeof capture.file !== 'string') return false;
    if (!this.services.readCapture || this.file.done || this.file.error || this.listFull || this.feed?.capped) return false;
    if (this.file.offset < 0) this.file.offset = this.feed?.bytes ?? 0;
    return this.file.offset < Number(capture.bytes);
  }

  /** The next piece of the file, from where the embedded bytes end (they are its first bytes). */
  private readFile(): void {
    if (this.file.reading) return;
    const capture = this.payload.capture!;
    // A new version of the output starts reading afresh: an answer for the old one is dropped.
    const state = this.file;
    state.reading = true;
    this.services.readCapture!(capture.file!, state.offset, FILE_CHUNK_BYTES).then(
      ({ bytes, eof }) => {
        state.reading = false;
        if (this.disposed || state !== this.file || !(this.source instanceof CaptureSource)) return;
        if (bytes.length > 0 && !this.source.push(bytes)) this.listFull = true;
        state.offset += bytes.length;
        if (eof || bytes.length === 0) state.done = true;
        this.schedule();
      },
      (error: Error) => {
        state.reading = false;
        state.error = `the rest of ${capture.file} could not be read: ${error.message}`;
        if (state === this.file) this.schedule();
      },
    );
  }

  private emptyText(): string {
    if (this.model.filtering && this.model.total > 0) return this.model.busy ? 'Filtering…' : 'No packets match the filter.';
    return this.payload.live ? 'Waiting for packets…' : 'No packets.';
  }

  private drawCount(): void {
    const total = this.model.total;
    const progress = this.model.filtering && this.model.busy ? ` (filtering… ${Math.floor(this.model.filterProgress * 100)}%)` : '';
    const reading = this.feed?.pending || this.file.reading ? ' (reading…)' : '';
    this.count.textContent = this.model.filtering
      ? `${this.model.length.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} packets shown${progress}`
      : `${total.toLocaleString('en-US')} ${total === 1 ? 'packet' : 'packets'}${reading}`;
  }

  private drawHead(): void {
    const p = this.payload;
    const capture = p.source === 'capture' ? p.capture : undefined;
    const what =
      p.source === 'capture'
        ? `${capture?.format ?? 'capture'} · ${formatBytes(Number(capture?.bytes) || 0)}`
        : `tcpdump text${p.text?.linkType ? ` · ${p.text.linkType.name}` : ''}`;
    const file = typeof capture?.file === 'string' ? capture.file : '';
    const saved = file ? h('span', 'pb-pk-file', 'saved as ', h('code', '', file), ' — opens in Wireshark') : null;
    saved?.setAttribute('title', file);
    this.head.replaceChildren(
      h(
        'div',
        'pb-pk-top-line',
        h('span', 'pb-pk-kind', what),
        p.live ? h('span', 'pb-pk-live', '● live') : null,
        saved,
        file ? copyButton('Copy path', 'Copy the capture file’s path (relative to the notebook)', () => file) : null,
      ),
    );
    // A capture that was live keeps following: its last version (no longer live) brings rows too.
    this.list.follow ||= p.live;
    this.drawNotes();
  }

  /** Warnings and notes; drawn again only when they change (they grow as a capture is read). */
  private drawNotes(): void {
    const p = this.payload;
    const capture = p.source === 'capture' ? p.capture : undefined;
    const file = typeof capture?.file === 'string' ? capture.file : '';
    const notes: HTMLElement[] = [];
    const warn = (text: string) => notes.push(h('div', 'pb-pk-warn', `⚠ ${text}`));
    if (typeof capture?.saveProblem === 'string') warn(`The capture was not saved: ${capture.saveProblem}`);
    const embedded = capture?.embeddedPackets;
    if (typeof embedded === 'number' && embedded < p.count) {
      notes.push(
        h(
          'div',
          'pb-note',
          `Only the first ${embedded.toLocaleString('en-US')} of ${Number(p.count).toLocaleString('en-US')} packets are in the notebook; ${
            !file
              ? 'the rest was not kept.'
              : this.file.done
                ? `the rest was read from ${file}.`
                : this.file.offset >= 0 && !this.file.error
                  ? `reading the rest from ${file}…`
                  : `the whole capture is in ${file}.`
          }`,
        ),
      );
    }
    if (this.file.error) warn(this.file.error);
    for (const problem of stringsOf(p.problems)) warn(problem);
    if (this.source instanceof CaptureSource) {
      const problems = this.source.reader.problems;
      for (const problem of problems.slice(0, MAX_PROBLEMS_SHOWN)) warn(`${problem.message} (at byte ${problem.offset})`);
      if (problems.length > MAX_PROBLEMS_SHOWN) warn(`… and ${problems.length - MAX_PROBLEMS_SHOWN} more problems`);
    }
    if (this.readError) warn(this.readError);
    if (this.feed?.capped) warn(`Only the first ${formatBytes(MAX_CAPTURE_BYTES)} of the capture are read here; open the file in Wireshark for the rest.`);
    if (this.listFull) warn(`The list holds the first ${MAX_LIST_PACKETS.toLocaleString('en-US')} packets; open the file in Wireshark for the rest.`);
    const text = notes.map((n) => n.textContent).join('\n');
    if (text !== this.notesText) this.notes.replaceChildren(...notes);
    this.notesText = text;
  }
}

export const packetsRenderer = inPlaceRenderer({ id: 'packets', mimeTypes: [MIME.packets], rank: 15, safe: true }, (element, item, ctx) => {
  const view = new PacketsView(element, asPacketsPayload(item.data), ctx.services);
  return { show: (next) => view.update(asPacketsPayload(next.data)), dispose: () => view.dispose() };
});
