import { media as mediaApi } from '../api/endpoints.js';
import { humanReason } from '../api/error-text.js';
import type { Media } from '../api/types.js';
import { newClientId } from '../format.js';
import { addPending, app, dropPending, updatePending } from '../state/app.js';
import type { Pending } from '../state/timeline.js';
import { live } from './live.js';

interface Draft {
  kind: Pending['kind'];
  text?: string;
  /** image/video: the caption under the picture. */
  caption?: string;
  replyTo?: number;
  mentions?: string[];
  data?: Record<string, unknown>;
}

/** Retry payloads of failed sends, by clientId (the same clientId is reused: the server dedups). */
const retries = new Map<string, () => void>();

/** A text or sticker not yet acknowledged, as kept in localStorage across reloads. */
interface Saved extends Draft {
  clientId: string;
  conversation: string;
  ts: number;
}

/**
 * Unsent messages survive a reload (and a sign-out the server did not confirm): texts and
 * stickers are kept per user in localStorage until acknowledged or discarded, and sent again
 * with their clientId on the next start, so the server stores each once. Attachments are not
 * kept (their bytes would not fit), only sent while the page lives.
 */
const saved = {
  key: () => {
    const me = app.get().me?.id;
    return me ? `parley.outbox.${me}` : undefined;
  },
  all(): Saved[] {
    const key = this.key();
    if (!key) return [];
    try {
      const list = JSON.parse(localStorage.getItem(key) ?? '[]') as unknown;
      return Array.isArray(list) ? (list as Saved[]).filter((x) => typeof x?.clientId === 'string') : [];
    } catch {
      return [];
    }
  },
  write(list: Saved[]) {
    const key = this.key();
    if (!key) return;
    try {
      if (list.length) localStorage.setItem(key, JSON.stringify(list));
      else localStorage.removeItem(key);
    } catch {
      /* storage full or refused: the message still sends while the page lives */
    }
  },
  add(x: Saved) {
    this.write([...this.all().filter((y) => y.clientId !== x.clientId), x]);
  },
  remove(clientId: string) {
    const list = this.all();
    if (list.some((x) => x.clientId === clientId)) this.write(list.filter((x) => x.clientId !== clientId));
  },
};

// Server wording is for developers; a person gets a plain reason.
const explain = humanReason;

async function deliver(cid: string, clientId: string, d: Draft, mediaId?: string) {
  updatePending(cid, clientId, { status: 'sending', error: undefined });
  try {
    await live.send({
      clientId,
      to: cid,
      kind: d.kind as never,
      text: d.text,
      caption: d.caption,
      media: mediaId,
      replyTo: d.replyTo,
      mentions: d.mentions?.length ? d.mentions : undefined,
      // A voice note's duration travels with its upload, not as message data.
      data: d.kind === 'voice' ? undefined : d.data,
    });
    retries.delete(clientId);
    saved.remove(clientId);
  } catch (e) {
    updatePending(cid, clientId, { status: 'failed', error: explain(e) });
  }
}

/**
 * Sending: each message shows at once as pending (with upload progress for attachments), goes
 * out through the protocol client with a clientId, and is replaced by the stored entry when
 * its ack or echo arrives. A failed send keeps its clientId, so Retry can never duplicate it.
 */
function queue(x: Saved) {
  const { clientId, conversation, ts, ...d } = x;
  addPending({ clientId, conversation, ts, status: 'sending', ...d });
  const go = () => void deliver(conversation, clientId, d);
  retries.set(clientId, go);
  go();
}

export const outbox = {
  sendText(cid: string, text: string, opts: { replyTo?: number; mentions?: string[] } = {}) {
    const x: Saved = {
      clientId: newClientId(),
      conversation: cid,
      ts: Date.now(),
      kind: 'text',
      text,
      replyTo: opts.replyTo,
      mentions: opts.mentions,
    };
    saved.add(x);
    queue(x);
  },

  sendSticker(cid: string, id: string, replyTo?: number) {
    const x: Saved = {
      clientId: newClientId(),
      conversation: cid,
      ts: Date.now(),
      kind: 'sticker',
      data: { id },
      replyTo,
    };
    saved.add(x);
    queue(x);
  },

  /** After sign-in or a reload: sends again what this user left unsent (same clientIds). */
  restore() {
    const shown = new Set(
      Object.values(app.get().pending)
        .flat()
        .map((p) => p.clientId),
    );
    for (const x of saved.all()) if (!shown.has(x.clientId)) queue(x);
  },

  /** Forgets this user's unsent messages (an explicit sign-out on this device). */
  forget() {
    saved.write([]);
  },

  sendFile(
    cid: string,
    file: File,
    opts: { asImage: boolean; replyTo?: number; caption?: string; previewUrl?: string },
  ) {
    const kind = opts.asImage ? 'image' : 'file';
    this.upload(
      cid,
      file,
      file.name,
      { kind, replyTo: opts.replyTo, caption: opts.caption },
      opts.asImage ? (opts.previewUrl ?? URL.createObjectURL(file)) : undefined,
    );
  },

  sendVoice(cid: string, blob: Blob, durationMs: number, mime: string) {
    const ext = mime.includes('ogg') ? 'ogg' : mime.includes('mp4') ? 'm4a' : 'webm';
    this.upload(
      cid,
      blob,
      `voice-${new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-')}.${ext}`,
      { kind: 'voice', data: { durationMs } },
      URL.createObjectURL(blob),
    );
  },

  /** Sends a video as kind `video`, with a poster frame grabbed in the browser when it can be. */
  sendVideo(cid: string, file: File, poster: Blob | undefined, replyTo?: number, caption?: string) {
    this.upload(
      cid,
      file,
      file.name,
      { kind: 'video', replyTo, caption },
      poster ? URL.createObjectURL(poster) : undefined,
      poster,
    );
  },

  upload(cid: string, blob: Blob, name: string, d: Draft, previewUrl?: string, poster?: Blob) {
    const clientId = newClientId();
    addPending({
      clientId,
      conversation: cid,
      ts: Date.now(),
      status: 'uploading',
      progress: 0,
      previewUrl,
      fileName: name,
      fileSize: blob.size,
      ...d,
    });
    let uploaded: Media | undefined;
    const go = async () => {
      if (!uploaded) {
        updatePending(cid, clientId, { status: 'uploading', progress: 0, error: undefined });
        try {
          const ms = d.data?.durationMs;
          uploaded = await mediaApi.upload(
            blob,
            name,
            (f) => updatePending(cid, clientId, { progress: f }),
            typeof ms === 'number' ? ms : undefined,
            poster,
          ).done;
        } catch (e) {
          updatePending(cid, clientId, { status: 'failed', error: explain(e) });
          return;
        }
      }
      await deliver(cid, clientId, d, uploaded.id);
    };
    retries.set(clientId, () => void go());
    void go();
  },

  retry(_cid: string, clientId: string) {
    retries.get(clientId)?.();
  },

  discard(cid: string, clientId: string) {
    const p = app.get().pending[cid]?.find((x) => x.clientId === clientId);
    if (p?.previewUrl) URL.revokeObjectURL(p.previewUrl);
    retries.delete(clientId);
    saved.remove(clientId);
    dropPending(cid, clientId);
  },
};
