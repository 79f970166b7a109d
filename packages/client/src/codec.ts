import { Packr } from 'msgpackr';
import { SUBPROTOCOL_JSON, SUBPROTOCOL_MSGPACK } from './frames.js';

/**
 * The two wire codecs. Frames for many recipients are encoded once with {@link encodeBoth} and
 * the same bytes are written to every socket of that codec.
 */
export type CodecName = 'json' | 'msgpack';

// Plain MessagePack (no msgpackr record extension), so any MessagePack library can read it.
const packr = new Packr({ useRecords: false, mapsAsObjects: true, variableMapSize: true });

export interface Codec {
  name: CodecName;
  subprotocol: string;
  /** Whether frames go out as binary WebSocket messages. */
  binary: boolean;
  encode(frame: unknown): string | Uint8Array;
  /** Decodes one message; throws on malformed input. */
  decode(data: string | Uint8Array): unknown;
}

export const jsonCodec: Codec = {
  name: 'json',
  subprotocol: SUBPROTOCOL_JSON,
  binary: false,
  encode: (frame) => JSON.stringify(frame),
  decode: (data) =>
    JSON.parse(typeof data === 'string' ? data : new TextDecoder('utf-8', { fatal: true }).decode(data)),
};

export const msgpackCodec: Codec = {
  name: 'msgpack',
  subprotocol: SUBPROTOCOL_MSGPACK,
  binary: true,
  encode: (frame) => packr.pack(frame),
  decode: (data) => {
    if (typeof data === 'string') throw new Error('expected a binary frame');
    return packr.unpack(data);
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
