import { media as mediaApi } from '../api/endpoints.js';
import { humanReason } from '../api/error-text.js';
import type { MediaRef } from '../api/types.js';
import { newClientId } from '../format.js';
import { addPending, app, dropPending, updatePending } from '../state/app.js';
import type { Pending } from '../state/timeline.js';
import { live } from './live.js';

interface Draft {
  kind: Pending['kind'];
  text?: string;
  replyTo?: number;
  mentions?: string[];
  data?: Record<string, unknown>;
}

/** Retry payloads of failed sends, by clientId (the same clientId is reused: the server dedups). */
const retries = new Map<string, () => void>();

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
      media: mediaId,
      replyTo: d.replyTo,
      mentions: d.mentions?.length ? d.mentions : undefined,
      // A voice note's duration travels with its upload, not as message data.
      data: d.kind === 'voice' ? undefined : d.data,
    });
    retries.delete(clientId);
  } catch (e) {
    updatePending(cid, clientId, { status: 'failed', error: explain(e) });
  }
}

/**
 * Sending: each message shows at once as pending (with upload progress for attachments), goes
 * out through the protocol client with a clientId, and is replaced by the stored entry when
 * its ack or echo arrives. A failed send keeps its clientId, so Retry can never duplicate it.
 */
export const outbox = {
  sendText(cid: string, text: string, opts: { replyTo?: number; mentions?: string[] } = {}) {
    const d: Draft = { kind: 'text', text, replyTo: opts.replyTo, mentions: opts.mentions };
    const clientId = newClientId();
    addPending({ clientId, conversation: cid, ts: Date.now(), status: 'sending', ...d });
    const go = () => void deliver(cid, clientId, d);
    retries.set(clientId, go);
    go();
  },

  sendSticker(cid: string, id: string, replyTo?: number) {
    const d: Draft = { kind: 'sticker', data: { id }, replyTo };
    const clientId = newClientId();
    addPending({ clientId, conversation: cid, ts: Date.now(), status: 'sending', ...d });
    const go = () => void deliver(cid, clientId, d);
    retries.set(clientId, go);
    go();
  },

  sendFile(cid: string, file: File, opts: { asImage: boolean; replyTo?: number }) {
    const kind = opts.asImage ? 'image' : 'file';
    this.upload(
      cid,
      file,
      file.name,
      { kind, replyTo: opts.replyTo },
      opts.asImage ? URL.createObjectURL(file) : undefined,
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
  sendVideo(cid: string, file: File, poster: Blob | undefined, replyTo?: number) {
    this.upload(
      cid,
      file,
      file.name,
      { kind: 'video', replyTo },
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
    let uploaded: MediaRef | undefined;
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
    dropPending(cid, clientId);
  },
};
