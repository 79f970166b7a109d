import { type Options, Packr, Unpackr } from 'msgpackr';
import { FrameError } from './frame-error.js';
import { SUBPROTOCOL_JSON, SUBPROTOCOL_MSGPACK } from './frames.js';
import { MAX_FRAME_DEPTH, scanMsgpack } from './msgpack-scan.js';
import { withinDepth } from './value-bounds.js';

/**
 * The two wire codecs. Frames for many recipients are encoded once with {@link encodeBoth} and
 * the same bytes are written to every socket of that codec.
 */
export type CodecName = 'json' | 'msgpack';

// Plain MessagePack (no msgpackr record extension), so any MessagePack library can read it.
// Fields set to undefined are left out, as JSON does: msgpackr would write them as extension 0,
// which the decoder below refuses.
// (`skipValues` is a msgpackr option its typings do not list yet.)
const packr = new Packr({
  useRecords: false,
  mapsAsObjects: true,
  variableMapSize: true,
  skipValues: [undefined],
} as Options);
// Decoding sees only what scanMsgpack let through (no extension reaches it); the options say
// the same again so that no msgpackr default can turn one on.
const unpackr = new Unpackr({
  useRecords: false,
  mapsAsObjects: true,
  structuredClone: false,
  moreTypes: false,
  int64AsType: 'number',
});

export interface Codec {
  name: CodecName;
  subprotocol: string;
  /** Whether frames go out as binary WebSocket messages. */
  binary: boolean;
  encode(frame: unknown): string | Uint8Array;
  /**
   * Decodes one message; throws on malformed input. A value nested deeper than
   * {@link MAX_FRAME_DEPTH}, and in MessagePack anything but plain values (see
   * {@link scanMsgpack}), throws the coded `INVALID_FRAME`.
   */
  decode(data: string | Uint8Array): unknown;
}

export const jsonCodec: Codec = {
  name: 'json',
  subprotocol: SUBPROTOCOL_JSON,
  binary: false,
  encode: (frame) => JSON.stringify(frame),
  decode: (data) => {
    const value: unknown = JSON.parse(
      typeof data === 'string' ? data : new TextDecoder('utf-8', { fatal: true }).decode(data),
    );
    // JSON.parse copes with any depth; what walks the value afterwards might not.
    if (!withinDepth(value, MAX_FRAME_DEPTH))
      throw new FrameError(`The frame nests deeper than ${MAX_FRAME_DEPTH} levels`);
    return value;
  },
};

export const msgpackCodec: Codec = {
  name: 'msgpack',
  subprotocol: SUBPROTOCOL_MSGPACK,
  binary: true,
  encode: (frame) => packr.pack(frame),
  decode: (data) => {
    if (typeof data === 'string') throw new Error('expected a binary frame');
    scanMsgpack(data);
    return unpackr.unpack(data);
  },
};

export function codecFor(subprotocol: string | undefined): Codec {
  return subprotocol === SUBPROTOCOL_MSGPACK ? msgpackCodec : jsonCodec;
}

/** One encoding per codec, done once for any number of recipients. */
export interface EncodedFrame {
  json: string;
  msgpack: Uint8Array;
}

export function encodeBoth(frame: unknown): EncodedFrame {
  return { json: JSON.stringify(frame), msgpack: packr.pack(frame) };
}
