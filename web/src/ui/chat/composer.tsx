import { useEffect, useRef, useState } from 'preact/hooks';
import type { Entry, Member } from '../../api/types.js';
import { duration } from '../../format.js';
import { outbox } from '../../net/outbox.js';
import { humanReason } from '../../api/error-text.js';
import { live } from '../../net/live.js';
import { toast, toastError } from '../common/widgets.js';
import {
  IconEdit,
  IconImage,
  IconMic,
  IconPaperclip,
  IconReply,
  IconSend,
  IconSmile,
  IconSticker,
  IconStop,
  IconX,
} from '../icons.js';
import { preview } from './describe.js';
import { grabPoster } from './poster.js';
import { EmojiPicker, StickerPicker } from './pickers.js';
import { type Recording, canRecord, startRecording } from './recorder.js';
import { useDraft } from '../../state/drafts.js';
import { CAPTION_LIMIT, stageFiles, staged, takeStaged } from '../../state/staged.js';
import { useStore } from '../../state/store.js';
import { StagedTray } from './staged-tray.js';

export interface ComposerMode {
  reply?: Entry;
  edit?: Entry;
}

interface Props {
  cid: string;
  mode: ComposerMode;
  setMode: (m: ComposerMode) => void;
  /** Group members, for @mentions (empty in direct chats). */
  members: Member[];
  replyName?: string;
  disabled?: string;
}

/** Message input: Enter sends, Shift+Enter breaks the line; emoji, stickers, files, voice. */
export function Composer({ cid, mode, setMode, members, replyName, disabled }: Props) {
  const [text, setText] = useDraft(cid, !!mode.edit);
  const [panel, setPanel] = useState<'emoji' | 'sticker' | undefined>();
  const [mentionQuery, setMentionQuery] = useState<string | undefined>();
  const [rec, setRec] = useState<{ r: Recording; started: number } | undefined>();
  const [, tick] = useState(0);
  const mentioned = useRef(new Map<string, string>());
  const area = useRef<HTMLTextAreaElement>(null);
  const imageInput = useRef<HTMLInputElement>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const lastTyping = useRef(0);
  const files = useStore(staged, (s) => s[cid]) ?? [];

  useEffect(() => {
    if (mode.edit) setText(mode.edit.text ?? '');
    area.current?.focus();
  }, [mode.edit, mode.reply]);

  useEffect(() => {
    const el = area.current;
    if (!el) return;
    el.style.height = 'auto';
    el.style.height = `${Math.min(el.scrollHeight, 160)}px`;
  }, [text]);

  useEffect(() => {
    if (!rec) return;
    const t = setInterval(() => tick((n) => n + 1), 250);
    return () => clearInterval(t);
  }, [rec]);

  const onInput = (v: string) => {
    setText(v);
    const m = /(?:^|\s)@([^\s@]*)$/.exec(v.slice(0, area.current?.selectionStart ?? v.length));
    setMentionQuery(members.length && m ? m[1]!.toLowerCase() : undefined);
    if (v && Date.now() - lastTyping.current > 2500) {
      lastTyping.current = Date.now();
      live.typing(cid);
    }
  };

  const pickMention = (m: Member) => {
    const el = area.current!;
    const caret = el.selectionStart ?? text.length;
    const before = text.slice(0, caret).replace(/@([^\s@]*)$/, `@${m.user.nickname} `);
    mentioned.current.set(m.user.id, m.user.nickname);
    setText(before + text.slice(caret));
    setMentionQuery(undefined);
    el.focus();
  };

  const submit = () => {
    const body = text.trim();
    if (files.length && !mode.edit) {
      sendStaged(body);
      return;
    }
    if (!body) return;
    if (mode.edit) {
      if (body !== mode.edit.text) live.edit(cid, mode.edit.seq, body).catch((e) => toast(humanReason(e), 'error'));
    } else {
      const mentions = [...mentioned.current].filter(([, name]) => body.includes(`@${name}`)).map(([id]) => id);
      outbox.sendText(cid, body, { replyTo: mode.reply?.seq, mentions });
    }
    mentioned.current.clear();
    setText('');
    setMode({});
    setPanel(undefined);
    lastTyping.current = 0;
  };

  const onKey = (e: KeyboardEvent) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      submit();
    } else if (e.key === 'Escape') {
      setMode({});
      setPanel(undefined);
      if (mode.edit) setText('');
    }
  };

  // Picked files wait in the tray (like pasted and dropped ones) so a caption can be typed.
  const attach = (list: FileList | null, asImage: boolean) => {
    stageFiles(cid, Array.from(list ?? []), asImage);
    area.current?.focus();
  };

  /** Sends the tray: the text is the caption of the first picture or video, else a text after the files. */
  const sendStaged = (body: string) => {
    const captioned = files.find((f) => f.kind !== 'file');
    if (captioned && [...body].length > CAPTION_LIMIT) {
      toast(`A caption can be at most ${CAPTION_LIMIT.toLocaleString()} characters`, 'error');
      return;
    }
    const replyTo = mode.reply?.seq;
    for (const s of takeStaged(cid)) {
      const caption = s === captioned && body ? body : undefined;
      if (s.kind === 'video')
        void grabPoster(s.file).then((poster) => outbox.sendVideo(cid, s.file, poster, replyTo, caption));
      else outbox.sendFile(cid, s.file, { asImage: s.kind === 'image', replyTo, caption, previewUrl: s.previewUrl });
    }
    if (body && !captioned) outbox.sendText(cid, body, { replyTo });
    mentioned.current.clear();
    setText('');
    setMode({});
    setPanel(undefined);
    lastTyping.current = 0;
  };

  const toggleRecord = async () => {
    if (rec) {
      setRec(undefined);
      const { blob, durationMs, mime } = await rec.r.stop();
      if (durationMs < 400) return;
      outbox.sendVoice(cid, blob, durationMs, mime);
      return;
    }
    try {
      setRec({ r: await startRecording(), started: Date.now() });
    } catch (e) {
      toastError(new Error(`Cannot use the microphone: ${(e as Error).message}`));
    }
  };

  if (disabled) return <div class="composer disabled">{disabled}</div>;
  const candidates =
    mentionQuery !== undefined
      ? members
          .filter(
            (m) =>
              m.user.nickname.toLowerCase().includes(mentionQuery) ||
              m.user.username.toLowerCase().includes(mentionQuery),
          )
          .slice(0, 6)
      : [];

  return (
    <div class="composer">
      {(mode.reply || mode.edit) && (
        <div class="composer-context">
          {mode.edit ? <IconEdit size={16} /> : <IconReply size={16} />}
          <div class="ctx-text">
            <strong>{mode.edit ? 'Edit message' : `Reply to ${replyName ?? ''}`}</strong>
            <span>{preview(mode.edit ?? mode.reply)}</span>
          </div>
          <button
            type="button"
            class="icon-btn"
            onClick={() => {
              setMode({});
              if (mode.edit) setText('');
            }}
            aria-label="Cancel"
          >
            <IconX size={16} />
          </button>
        </div>
      )}
      {panel === 'emoji' && (
        <EmojiPicker
          onPick={(e) => {
            setText(text + e);
            area.current?.focus();
          }}
        />
      )}
      {panel === 'sticker' && (
        <StickerPicker
          onPick={(id) => {
            outbox.sendSticker(cid, id, mode.reply?.seq);
            setPanel(undefined);
            setMode({});
          }}
        />
      )}
      {candidates.length > 0 && (
        <ul class="mention-list" aria-label="Mention someone">
          {candidates.map((m) => (
            <li key={m.user.id}>
              <button
                type="button"
                onMouseDown={(e) => {
                  e.preventDefault();
                  pickMention(m);
                }}
              >
                @{m.user.nickname} <span class="muted">{m.user.username}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      {files.length > 0 && !mode.edit && <StagedTray cid={cid} files={files} />}
      {rec ? (
        <div class="composer-row recording">
          <span class="rec-dot" aria-hidden="true" />
          <span class="rec-time" aria-live="polite">
            Recording {duration(Date.now() - rec.started)}
          </span>
          <button
            type="button"
            class="btn ghost"
            onClick={() => {
              rec.r.cancel();
              setRec(undefined);
            }}
          >
            Cancel
          </button>
          <button type="button" class="send-btn" onClick={toggleRecord} aria-label="Stop and send voice message">
            <IconStop size={18} />
          </button>
        </div>
      ) : (
        <div class="composer-row">
          <button
            type="button"
            class={`icon-btn${panel === 'emoji' ? ' on' : ''}`}
            onClick={() => setPanel(panel === 'emoji' ? undefined : 'emoji')}
            aria-label="Emoji"
          >
            <IconSmile />
          </button>
          <button
            type="button"
            class={`icon-btn${panel === 'sticker' ? ' on' : ''}`}
            onClick={() => setPanel(panel === 'sticker' ? undefined : 'sticker')}
            aria-label="Stickers"
          >
            <IconSticker />
          </button>
          <button
            type="button"
            class="icon-btn hide-edit"
            onClick={() => imageInput.current?.click()}
            aria-label="Send a picture"
            disabled={!!mode.edit}
          >
            <IconImage />
          </button>
          <button
            type="button"
            class="icon-btn hide-edit"
            onClick={() => fileInput.current?.click()}
            aria-label="Send a file"
            disabled={!!mode.edit}
          >
            <IconPaperclip />
          </button>
          <input
            ref={imageInput}
            type="file"
            accept="image/*"
            multiple
            hidden
            data-testid="image-input"
            onChange={(e) => {
              attach(e.currentTarget.files, true);
              e.currentTarget.value = '';
            }}
          />
          <input
            ref={fileInput}
            type="file"
            multiple
            hidden
            data-testid="file-input"
            onChange={(e) => {
              attach(e.currentTarget.files, false);
              e.currentTarget.value = '';
            }}
          />
          <textarea
            ref={area}
            rows={1}
            value={text}
            placeholder={mode.edit ? 'Edit your message' : files.length ? 'Add a caption' : 'Write a message'}
            aria-label="Message"
            onInput={(e) => onInput(e.currentTarget.value)}
            onKeyDown={onKey}
            maxLength={4000}
          />
          {text.trim() || mode.edit || files.length || !canRecord() ? (
            <button
              type="button"
              class="send-btn"
              onClick={submit}
              aria-label={mode.edit ? 'Save edit' : 'Send'}
              disabled={!text.trim() && !(files.length && !mode.edit)}
            >
              <IconSend size={18} />
            </button>
          ) : (
            <button type="button" class="send-btn mic" onClick={toggleRecord} aria-label="Record a voice message">
              <IconMic size={18} />
            </button>
          )}
        </div>
      )}
    </div>
  );
}
