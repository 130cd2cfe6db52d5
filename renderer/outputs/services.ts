/**
 * What renderers may ask of the page around them, set by the app (renderer/app/app.ts). Absent
 * where there is no host to ask (an exported report, the test harness): renderers then leave out
 * what needs it.
 */
export interface OutputServices {
  /** tshark's full dissection (`-V`) of packet `packet` of a capture saved beside the notebook. */
  dissectPacket?(file: string, packet: number): Promise<string>;
  /** Bytes of that capture from `offset` (at most `length`); `eof` when none follow. */
  readCapture?(file: string, offset: number, length: number): Promise<{ bytes: Uint8Array; eof: boolean }>;
}

export const outputServices: OutputServices = {};

/** Sets the services renderers see (the app calls it once). */
export function setOutputServices(services: OutputServices): void {
  Object.assign(outputServices, services);
}
