import { Store } from './store.js';

/**
 * A message to bring into view: set by a search hit, read by the chat view of that
 * conversation, which loads history back to the seq, scrolls it into view and highlights it.
 * `n` tells two requests for the same message apart (opening the same hit twice jumps twice).
 */
export interface JumpRequest {
  cid: string;
  seq: number;
  n: number;
}

export const jump = new Store<JumpRequest | undefined>(undefined);
let n = 0;

export function requestJump(cid: string, seq: number) {
  jump.set({ cid, seq, n: ++n });
}

export function jumpDone(req: JumpRequest) {
  jump.set((cur) => (cur === req ? undefined : cur));
}
