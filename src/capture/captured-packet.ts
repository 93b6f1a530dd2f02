/**
 * One captured packet as a reader hands it out: a window onto the reader's current buffer.
 * Valid until the reader's next call; whoever keeps bytes must copy them.
 */
export class CapturedPacket {
  /** The buffer that holds the packet bytes at [dataOffset, dataOffset + caplen). */
  bytes: Uint8Array = new Uint8Array(0);
  /** A DataView on the same buffer as `bytes` (offsets are the same). */
  view: DataView = new DataView(this.bytes.buffer);
  dataOffset = 0;
  caplen = 0;
  /** Length on the wire. */
  origlen = 0;
  /** Capture time: whole seconds since the epoch and nanoseconds within the second. */
  tsSec = 0;
  tsNsec = 0;
  linktype = 0;
  /** 1-based record (block) number within its file, for messages. */
  record = 0;
  /** Absolute byte offset of the record (block) header within its file. */
  fileOffset = 0;

  /**
   * Points the packet at a reader's buffer. Stores only when the buffer changed, once a chunk:
   * storing a new object into this long-lived one costs a write barrier each time, and with
   * the decoder's own such store it was some 15% of readers+decoders (bench/measure.ts decode).
   */
  setBuffer(bytes: Uint8Array, view: DataView): void {
    if (this.bytes === bytes) return;
    this.bytes = bytes;
    this.view = view;
  }
}
