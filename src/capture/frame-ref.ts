/**
 * Where a packet sits in the inputs, in one double: the input's index (its place on the command
 * line) and its frame number in that input, counted from 1 over every record as tshark numbers
 * frames, so that `tshark -r FILE -Y frame.number==N` opens it. One number, so that the RTT
 * engine keeps a single extra double beside each segment in flight.
 */

/** Frames per input in a reference: more than any capture file holds (2^36, ~69 billion). */
export const FRAMES_PER_INPUT = 2 ** 36;

export function frameRef(inputIndex: number, frame: number): number {
  return inputIndex * FRAMES_PER_INPUT + frame;
}

/** The input's index in a reference. */
export function inputOfFrame(ref: number): number {
  return Math.floor(ref / FRAMES_PER_INPUT);
}

/** The frame number (from 1) in its input; 0 where no frame is known. */
export function frameNumber(ref: number): number {
  // The first input's references are their frame numbers: no floating-point remainder for them.
  return ref < FRAMES_PER_INPUT ? ref : ref % FRAMES_PER_INPUT;
}
