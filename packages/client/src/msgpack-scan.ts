import { FrameError } from './frame-error.js';

/** What a frame may hold: plain MessagePack, nested at most this deep (the frame object is depth 1). */
export const MAX_FRAME_DEPTH = 32;

const invalid = (why: string) => new FrameError(`The MessagePack frame is not accepted: ${why}`);

/**
 * Checks that `b` is exactly one plain MessagePack value before any decoder sees it: nil,
 * booleans, integers within ±(2^53 − 1), floats, str, bin, arrays and maps with str keys,
 * nested at most `maxDepth` deep. Every extension type (msgpackr's records, structured-clone
 * ids and back-references, bundled strings, Sets, Errors, RegExps, typed arrays, BigInts, the
 * timestamp −1 included) and the never-used byte 0xc1 are refused: a client frame needs none
 * of them, and references are how a few hundred bytes describe millions of values.
 *
 * One pass, no recursion, no allocation per value: every value costs at least one byte, so
 * the work is linear in the frame's size whatever its counts claim. Throws `INVALID_FRAME`.
 */
export function scanMsgpack(b: Uint8Array, maxDepth = MAX_FRAME_DEPTH): void {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const end = b.byteLength;
  // Values still to read in each open container (a map of n entries counts 2n); maps flagged.
  const left: number[] = [];
  const isMap: boolean[] = [];
  let pos = 0;
  const need = (n: number) => {
    if (pos + n > end) throw invalid('it ends early');
  };
  const open = (n: number, map: boolean) => {
    if (n === 0) return;
    if (left.length + 1 >= maxDepth) throw invalid(`it nests deeper than ${maxDepth} levels`);
    left.push(map ? 2 * n : n);
    isMap.push(map);
  };
  const skip = (n: number) => {
    need(n);
    pos += n;
  };
  do {
    need(1);
    const depth = left.length;
    const key = depth > 0 && isMap[depth - 1]! && left[depth - 1]! % 2 === 0;
    if (depth > 0) left[depth - 1]!--;
    const t = b[pos++]!;
    const str = (t >= 0xa0 && t <= 0xbf) || t === 0xd9 || t === 0xda || t === 0xdb;
    if (key && !str) throw invalid('map keys must be strings');
    if (t <= 0x7f || t >= 0xe0) {
      // positive / negative fixint
    } else if (t <= 0x8f) open(t - 0x80, true);
    else if (t <= 0x9f) open(t - 0x90, false);
    else if (t <= 0xbf) skip(t - 0xa0);
    else
      switch (t) {
        case 0xc0:
        case 0xc2:
        case 0xc3:
          break;
        case 0xc4:
        case 0xd9:
          need(1);
          skip(1 + b[pos]!);
          break;
        case 0xc5:
        case 0xda:
          need(2);
          skip(2 + view.getUint16(pos));
          break;
        case 0xc6:
        case 0xdb:
          need(4);
          skip(4 + view.getUint32(pos));
          break;
        case 0xca:
          skip(4);
          break;
        case 0xcb:
          skip(8);
          break;
        case 0xcc:
        case 0xd0:
          skip(1);
          break;
        case 0xcd:
        case 0xd1:
          skip(2);
          break;
        case 0xce:
        case 0xd2:
          skip(4);
          break;
        case 0xcf:
        case 0xd3: {
          need(8);
          const v = t === 0xcf ? view.getBigUint64(pos) : view.getBigInt64(pos);
          if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < -BigInt(Number.MAX_SAFE_INTEGER))
            throw invalid('a 64-bit integer beyond ±(2^53 − 1)');
          pos += 8;
          break;
        }
        case 0xdc:
          need(2);
          open(view.getUint16(pos), false);
          pos += 2;
          break;
        case 0xdd:
          need(4);
          open(view.getUint32(pos), false);
          pos += 4;
          break;
        case 0xde:
          need(2);
          open(view.getUint16(pos), true);
          pos += 2;
          break;
        case 0xdf:
          need(4);
          open(view.getUint32(pos), true);
          pos += 4;
          break;
        default: {
          // 0xc1 (never used), ext 8/16/32 (0xc7–0xc9) and fixext 1–16 (0xd4–0xd8).
          const at = t >= 0xd4 ? pos : pos + (t === 0xc7 ? 1 : t === 0xc8 ? 2 : 4);
          const type = t === 0xc1 || at >= end ? undefined : view.getInt8(at);
          throw invalid(type === undefined ? `byte 0x${t.toString(16)}` : `extension type ${type}`);
        }
      }
    while (left.length && left[left.length - 1] === 0) {
      left.pop();
      isMap.pop();
    }
  } while (left.length);
  if (pos !== end) throw invalid('bytes after the value');
}
