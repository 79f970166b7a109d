import type { ClientFrame, Entry } from './frames.js';

/**
 * Reports "received up to seq" for direct chats (delivery receipts). Contract: every entry the
 * app is handed (live or catch-up) from someone else raises the conversation's position; the
 * highest position is written as one `received` frame per conversation after `delayMs`, so a
 * catch-up of hundreds of entries costs one frame per chat. A position that could not be written
 * (offline) stays pending and goes on {@link flush} after the next `ready`; one already reported
 * is never reported again.
 */
export class ReceivedReporter {
  private readonly pending = new Map<string, number>();
  private readonly reported = new Map<string, number>();
  private timer?: ReturnType<typeof setTimeout>;

  constructor(
    private readonly send: (frame: ClientFrame) => boolean,
    private readonly me: () => string | undefined,
    private readonly delayMs: number,
  ) {}

  /** An entry handed to the app. */
  saw(e: Entry) {
    if (!e.conversation.startsWith('dm:') || e.sender === null || e.sender === this.me()) return;
    if (e.seq <= Math.max(this.pending.get(e.conversation) ?? 0, this.reported.get(e.conversation) ?? 0)) return;
    this.pending.set(e.conversation, e.seq);
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, this.delayMs);
  }

  /** Writes what is pending; what cannot be written now stays for the next call. */
  flush() {
    for (const [conversation, seq] of this.pending) {
      if (!this.send({ type: 'received', conversation, seq })) return;
      this.pending.delete(conversation);
      this.reported.set(conversation, seq);
    }
  }

  stop() {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
