/**
 * A frame the codec refuses before or while decoding it (an extension type, too deep, trailing
 * bytes): the server answers it with an `INVALID_FRAME` error frame naming `message`.
 */
export class FrameError extends Error {
  readonly code = 'INVALID_FRAME' as const;
  constructor(message: string) {
    super(message);
    this.name = 'FrameError';
  }
}
