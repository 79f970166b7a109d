import { useEffect, useRef, useState } from 'preact/hooks';
import type { Entry, UserBrief } from '../../api/types.js';
import { clock } from '../../format.js';
import type { Pending } from '../../state/timeline.js';
import { Avatar } from '../common/avatar.js';
import { openPerson } from '../profile/person-screen.js';
import { IconCheck, IconCheckAll, IconEdit, IconPin, IconReply, IconUndo } from '../icons.js';
import {
  Caption,
  EntryContent,
  FileContent,
  ImageContent,
  RichText,
  StickerContent,
  VideoContent,
  VoiceContent,
  emojiOnly,
} from './content.js';
import { preview } from './describe.js';
import { ReactButton, ReactionChips } from './reactions.js';
import { FORWARDABLE, ForwardedLine, IconForward } from './forward-dialog.js';

export interface MessageActions {
  reply(e: Entry): void;
  edit(e: Entry): void;
  recall(e: Entry): void;
  openImage(url: string): void;
  jumpTo(seq: number): void;
  /** Adds (or with `remove` takes back) my reaction. */
  react?(e: Entry, emoji: string, remove: boolean): void;
  whoReacted?(e: Entry): void;
  /** Pins (or with `remove` unpins) the message. */
  pin?(e: Entry, remove: boolean): void;
  /** Opens the forward picker (absent: no Forward action). */
  forward?(e: Entry): void;
}

interface Props {
  e: Entry;
  mine: boolean;
  sender?: UserBrief;
  showSender: boolean;
  /** First of a run of messages from the same sender (gets the avatar and the name). */
  first: boolean;
  quoted?: Entry;
  quotedName?: string;
  mentionNames: string[];
  mentionsMe: boolean;
  read?: boolean;
  /** Replaces the read ticks: delivery ticks or "Seen by N" (ticks.tsx). */
  status?: preact.ComponentChildren;
  canRecall: boolean;
  /** Whether the sender may still edit it (own text inside the recall window). */
  canEdit: boolean;
  /** Whether I may pin it (group owner/admin, either person of a direct chat). */
  canPin?: boolean;
  actions: MessageActions;
}

/** How long a finger must rest on a bubble before its actions open (touch has no hover). */
const LONG_PRESS_MS = 450;

/**
 * Long-press (touch) or right-click opens a message's actions; a tap elsewhere closes them.
 * A finger that moves is scrolling, not pressing, so it cancels the timer.
 */
function usePressMenu() {
  const [open, setOpen] = useState(false);
  const row = useRef<HTMLDivElement>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const start = useRef<{ x: number; y: number } | undefined>(undefined);
  const cancel = () => {
    clearTimeout(timer.current);
    timer.current = undefined;
  };
  useEffect(() => {
    if (!open) return;
    const away = (ev: Event) => {
      if (!row.current?.contains(ev.target as Node)) setOpen(false);
    };
    document.addEventListener('pointerdown', away, true);
    return () => document.removeEventListener('pointerdown', away, true);
  }, [open]);
  useEffect(() => cancel, []);
  const bind = {
    onPointerDown: (ev: PointerEvent) => {
      if (ev.pointerType !== 'touch') return;
      start.current = { x: ev.clientX, y: ev.clientY };
      cancel();
      timer.current = setTimeout(() => setOpen(true), LONG_PRESS_MS);
    },
    onPointerMove: (ev: PointerEvent) => {
      const s = start.current;
      if (s && Math.hypot(ev.clientX - s.x, ev.clientY - s.y) > 10) cancel();
    },
    onPointerUp: cancel,
    onPointerCancel: cancel,
    onContextMenu: (ev: MouseEvent) => {
      ev.preventDefault();
      setOpen(true);
    },
  };
  return { open, close: () => setOpen(false), row, bind };
}

/** One message: bubble, reply quote, content by kind, time, edited mark, receipt ticks and actions. */
export function MessageItem({
  e,
  mine,
  sender,
  showSender,
  first,
  quoted,
  quotedName,
  mentionNames,
  mentionsMe,
  read,
  status,
  canRecall,
  canEdit,
  canPin,
  actions,
}: Props) {
  const menu = usePressMenu();
  if (e.recalled) {
    return (
      <div class={`msg-row ${mine ? 'mine' : 'theirs'}`} data-seq={e.seq} data-recalled="true">
        <div class="msg-recalled">
          {mine ? 'You recalled a message' : `${sender?.nickname ?? 'Someone'} recalled a message`}
        </div>
      </div>
    );
  }
  const big = e.kind === 'text' && emojiOnly(e.text ?? '');
  const bare = big || e.kind === 'sticker';
  return (
    <div
      ref={menu.row}
      class={`msg-row ${mine ? 'mine' : 'theirs'}${first ? ' first' : ''}${mentionsMe ? ' mentioned' : ''}${menu.open ? ' open' : ''}${e.pinned ? ' pinned' : ''}`}
      data-seq={e.seq}
      data-kind={e.kind}
      data-sender={e.sender ?? ''}
    >
      {!mine && showSender && (
        <div class="msg-avatar">
          {first && (
            <button
              type="button"
              class="avatar-btn"
              aria-label={`Profile of ${sender?.nickname ?? 'the sender'}`}
              onClick={() => e.sender && openPerson(e.sender)}
            >
              <Avatar id={e.sender ?? ''} name={sender?.nickname ?? '?'} media={sender?.avatar} size={32} />
            </button>
          )}
        </div>
      )}
      <div class="msg-col">
        {!mine && showSender && first && <div class="msg-sender">{sender?.nickname ?? '…'}</div>}
        <div class={`bubble kind-${e.kind}${bare ? ' bare' : ''}${big ? ' big-emoji' : ''}`} {...menu.bind}>
          {e.replyTo !== undefined && (
            <button
              type="button"
              class="quote"
              onClick={() => actions.jumpTo(e.replyTo!)}
              aria-label="Go to the replied message"
            >
              <span class="quote-name">{quotedName ?? 'Message'}</span>
              <span class="quote-text">{quoted ? preview(quoted) : 'Original message'}</span>
            </button>
          )}
          <ForwardedLine e={e} />
          <EntryContent e={e} mentionNames={mentionNames} onOpenImage={actions.openImage} />
          <span class="msg-meta">
            {e.editedAt && <span class="edited">edited</span>}
            <time dateTime={new Date(e.ts).toISOString()}>{clock(e.ts)}</time>
            {status}
            {mine &&
              status === undefined &&
              read !== undefined &&
              (read ? (
                <span class="ticks read" title="Read" data-receipt="read">
                  <IconCheckAll size={15} />
                </span>
              ) : (
                <span class="ticks" title="Sent" data-receipt="sent">
                  <IconCheck size={15} />
                </span>
              ))}
          </span>
        </div>
        {actions.react && (
          <ReactionChips
            e={e}
            onToggle={(emoji, remove) => actions.react?.(e, emoji, remove)}
            onWho={() => actions.whoReacted?.(e)}
          />
        )}
      </div>
      <div class="msg-actions" role="toolbar" aria-label="Message actions">
        {actions.react && (
          <ReactButton e={e} onPick={(emoji, remove) => pick(menu.close, () => actions.react?.(e, emoji, remove))()} />
        )}
        <button
          type="button"
          class="icon-btn"
          onClick={pick(menu.close, () => actions.reply(e))}
          aria-label="Reply"
          title="Reply"
        >
          <IconReply size={16} />
        </button>
        {actions.forward && FORWARDABLE.has(e.kind) && (
          <button
            type="button"
            class="icon-btn"
            onClick={pick(menu.close, () => actions.forward!(e))}
            aria-label="Forward"
            title="Forward"
          >
            <IconForward size={16} />
          </button>
        )}
        {canEdit && (
          <button
            type="button"
            class="icon-btn"
            onClick={pick(menu.close, () => actions.edit(e))}
            aria-label="Edit"
            title="Edit"
          >
            <IconEdit size={16} />
          </button>
        )}
        {canRecall && (
          <button
            type="button"
            class="icon-btn"
            onClick={pick(menu.close, () => actions.recall(e))}
            aria-label="Recall"
            title="Recall"
          >
            <IconUndo size={16} />
          </button>
        )}
        {canPin && actions.pin && (
          <button
            type="button"
            class="icon-btn"
            onClick={pick(menu.close, () => actions.pin?.(e, !!e.pinned))}
            aria-label={e.pinned ? 'Unpin' : 'Pin'}
            title={e.pinned ? 'Unpin' : 'Pin'}
          >
            <IconPin size={16} />
          </button>
        )}
      </div>
    </div>
  );
}

const pick = (close: () => void, run: () => void) => () => {
  close();
  run();
};

/** A message of ours that has no seq yet: sending, uploading (with progress) or failed. */
export function PendingItem({ p, onRetry, onDiscard }: { p: Pending; onRetry: () => void; onDiscard: () => void }) {
  return (
    <div class="msg-row mine pending" data-client-id={p.clientId} data-status={p.status}>
      <div class="msg-col">
        <div class={`bubble kind-${p.kind}${p.kind === 'sticker' ? ' bare' : ''}`}>
          {p.kind === 'image' && <ImageContent previewUrl={p.previewUrl} />}
          {p.kind === 'file' && <FileContent name={p.fileName} size={p.fileSize} />}
          {p.kind === 'video' && <VideoContent posterUrl={p.previewUrl} />}
          {(p.kind === 'image' || p.kind === 'video') && <Caption text={p.caption} />}
          {p.kind === 'voice' && (
            <VoiceContent previewUrl={p.previewUrl} durationMs={Number(p.data?.durationMs ?? 0)} />
          )}
          {p.kind === 'sticker' && <StickerContent id={String(p.data?.id ?? 'smile')} />}
          {p.kind === 'text' && <RichText text={p.text ?? ''} mentionNames={[]} />}
          {p.status === 'uploading' && (
            <div
              class="progress"
              role="progressbar"
              aria-label="Upload progress"
              aria-valuemin={0}
              aria-valuemax={100}
              aria-valuenow={Math.round((p.progress ?? 0) * 100)}
            >
              <span style={{ width: `${Math.round((p.progress ?? 0) * 100)}%` }} />
            </div>
          )}
          <span class="msg-meta">
            {p.status === 'failed' ? (
              <span class="failed">Not sent{p.error ? `: ${p.error}` : ''}</span>
            ) : (
              <span class="sending">
                {p.status === 'uploading' ? `Uploading ${Math.round((p.progress ?? 0) * 100)}%` : 'Sending…'}
              </span>
            )}
          </span>
        </div>
        {p.status === 'failed' && (
          <div class="pending-actions">
            <button type="button" class="link-btn" onClick={onRetry}>
              Retry
            </button>
            <button type="button" class="link-btn" onClick={onDiscard}>
              Discard
            </button>
          </div>
        )}
      </div>
    </div>
  );
}
