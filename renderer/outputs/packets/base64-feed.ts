/**
 * Reads a capture's base64 a slice at a time, so a 50 MB payload never blocks a frame, and follows
 * a live payload whose string grows: only the bytes not read yet are decoded. Progress is counted
 * in bytes, not characters: a live string's padded last quad changes as bytes follow, its bytes do not.
 */

/** Decoded bytes we read at the most; past it the view says so (the file beside the notebook has the rest). */
export const MAX_CAPTURE_BYTES = 192 * 1024 * 1024;

/** The bytes a base64 string holds (padding aside). */
function byteLength(text: string): number {
  const whole = text.length - (text.length % 4);
  const padding = whole === 0 ? 0 : (text.charCodeAt(whole - 1) === 61 ? 1 : 0) + (text.charCodeAt(whole - 2) === 61 ? 1 : 0);
  return (whole / 4) * 3 - padding;
}

export class Base64Feed {
  private text = '';
  /** Bytes read so far. */
  bytes = 0;
  /** The bytes read of the last, partly read quad (1 or 2 of its 3). */
  private tail = '';

  /** Takes a new version of the string. Returns false when it does not continue what was read: the caller then starts again with a new feed. */
  update(text: string): boolean {
    if (this.bytes > 0) {
      const quads = Math.floor(this.bytes / 3) * 4;
      if (byteLength(text) < this.bytes || text.slice(0, quads) !== this.text.slice(0, quads)) return false;
      if (this.tail && !this.decode(text, quads, quads + 4).startsWith(this.tail)) return false;
    }
    this.text = text;
    return true;
  }

  /** Whether the byte limit stopped reading. */
  get capped(): boolean {
    return this.bytes >= MAX_CAPTURE_BYTES;
  }

  /** Whether bytes are waiting to be read. */
  get pending(): boolean {
    return this.bytes < byteLength(this.text) && !this.capped;
  }

  /** Decodes up to about `maxChars` more characters; undefined when nothing is left. Throws on characters that are not base64. */
  next(maxChars: number): Uint8Array | undefined {
    if (!this.pending) return undefined;
    const from = Math.floor(this.bytes / 3) * 4;
    const end = Math.min(this.text.length - (this.text.length % 4), from + Math.max(4, maxChars - (maxChars % 4)));
    const binary = this.decode(this.text, from, end);
    const skip = this.bytes % 3;
    const take = Math.min(binary.length - skip, MAX_CAPTURE_BYTES - this.bytes);
    const out = new Uint8Array(take);
    for (let i = 0; i < take; i++) out[i] = binary.charCodeAt(skip + i);
    this.bytes += take;
    // The read bytes of the last quad, to check that the next version still holds them.
    const quadStart = Math.floor(this.bytes / 3) * 3 - (from / 4) * 3;
    this.tail = binary.slice(quadStart, quadStart + (this.bytes % 3));
    return out;
  }

  private decode(text: string, from: number, end: number): string {
    try {
      return atob(text.slice(from, end));
    } catch {
      throw new Error(`the embedded capture is not valid base64 (between characters ${from} and ${end})`);
    }
  }
}
