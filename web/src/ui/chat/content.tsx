import type { JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Entry, MediaRef } from '../../api/types.js';
import { duration, fileSize } from '../../format.js';
import { IconDownload, IconFile, IconPause, IconPlay } from '../icons.js';

export const STICKERS = ['smile', 'wink', 'love', 'cool', 'wow', 'sad', 'heart', 'thanks'] as const;

const URL_RE = /\bhttps?:\/\/[^\s<>"']+[^\s<>"'.,;:!?)]/g;

/** Text with @mentions highlighted and links clickable; never parsed as HTML. */
export function RichText({ text, mentionNames }: { text: string; mentionNames: string[] }) {
  const parts: (string | JSX.Element)[] = [];
  const names = mentionNames
    .filter(Boolean)
    .sort((a, b) => b.length - a.length)
    .map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const re = new RegExp(`${URL_RE.source}${names.length ? `|@(?:${names.join('|')})` : ''}`, 'g');
  let at = 0;
  let key = 0;
  for (const m of text.matchAll(re)) {
    if (m.index! > at) parts.push(text.slice(at, m.index));
    const s = m[0];
    if (s.startsWith('@'))
      parts.push(
        <span key={key++} class="mention">
          {s}
        </span>,
      );
    else
      parts.push(
        <a key={key++} href={s} target="_blank" rel="noopener noreferrer">
          {s}
        </a>,
      );
    at = m.index! + s.length;
  }
  if (at < text.length) parts.push(text.slice(at));
  return <>{parts}</>;
}

/** True when a text is only a few emoji (shown large, without a bubble). */
export function emojiOnly(text: string): boolean {
  const t = text.trim();
  return (
    t.length > 0 &&
    t.length <= 12 &&
    /^(\p{Extended_Pictographic}|\p{Emoji_Component}|\u200d|\ufe0f|\s)+$/u.test(t) &&
    !/^[\d#*\s]+$/.test(t)
  );
}

export function ImageContent({
  media,
  previewUrl,
  onOpen,
}: {
  media?: MediaRef;
  previewUrl?: string;
  onOpen?: (url: string) => void;
}) {
  const w = media?.width ?? 320;
  const h = media?.height ?? 240;
  // Reserve the box before the picture loads so history never jumps.
  const scale = Math.min(1, 280 / w, 320 / h);
  const style = { width: `${Math.max(80, Math.round(w * scale))}px`, aspectRatio: `${w} / ${h}` };
  const src = media?.thumbUrl ?? media?.url ?? previewUrl;
  return (
    <button
      type="button"
      class="image-msg"
      style={style}
      onClick={() => {
        const full = media?.url ?? previewUrl;
        if (full && onOpen) onOpen(full);
      }}
      aria-label="Open picture"
    >
      {src ? (
        <img src={src} alt={media?.name ?? 'Picture'} loading="lazy" draggable={false} />
      ) : (
        <span class="image-missing">Picture unavailable</span>
      )}
    </button>
  );
}

/** A video, inline, with its poster frame (the thumbnail) until it plays. */
export function VideoContent({ media, posterUrl }: { media?: MediaRef; posterUrl?: string }) {
  const w = media?.width ?? 320;
  const h = media?.height ?? 180;
  const scale = Math.min(1, 300 / w, 320 / h);
  const style = { width: `${Math.max(120, Math.round(w * scale))}px`, aspectRatio: `${w} / ${h}` };
  const poster = media?.thumbUrl ?? posterUrl;
  return (
    <div class="video-msg" style={style}>
      {media?.url ? (
        // biome-ignore lint/a11y/useMediaCaption: a user's own video has no caption track to offer.
        <video
          src={media.url}
          poster={poster}
          controls
          playsInline
          preload="metadata"
          aria-label={media.name ?? 'Video'}
        />
      ) : poster ? (
        <img src={poster} alt="Video" />
      ) : (
        <span class="image-missing">Video</span>
      )}
    </div>
  );
}

export function FileContent({ media, name, size }: { media?: MediaRef; name?: string; size?: number }) {
  const fname = media?.name ?? name ?? 'file';
  return (
    <div class="file-msg">
      <span class="file-icon">
        <IconFile size={22} />
      </span>
      <span class="file-meta">
        <span class="file-name" title={fname}>
          {fname}
        </span>
        <span class="file-size">{fileSize(media?.size ?? size ?? 0)}</span>
      </span>
      {media?.url && (
        <a class="icon-btn file-dl" href={media.url} download={fname} aria-label={`Download ${fname}`}>
          <IconDownload size={18} />
        </a>
      )}
    </div>
  );
}

export function VoiceContent({
  media,
  durationMs,
  previewUrl,
}: {
  media?: MediaRef;
  durationMs?: number;
  previewUrl?: string;
}) {
  const audio = useRef<HTMLAudioElement>(null);
  const [playing, setPlaying] = useState(false);
  const [pos, setPos] = useState(0);
  const total = media?.durationMs ?? durationMs ?? 0;
  const src = media?.url ?? previewUrl;
  useEffect(() => {
    const a = audio.current;
    if (!a) return;
    const onTime = () => setPos(a.currentTime * 1000);
    const onEnd = () => {
      setPlaying(false);
      setPos(0);
    };
    const onPause = () => setPlaying(false);
    const onPlay = () => setPlaying(true);
    a.addEventListener('timeupdate', onTime);
    a.addEventListener('ended', onEnd);
    a.addEventListener('pause', onPause);
    a.addEventListener('play', onPlay);
    return () => {
      a.removeEventListener('timeupdate', onTime);
      a.removeEventListener('ended', onEnd);
      a.removeEventListener('pause', onPause);
      a.removeEventListener('play', onPlay);
    };
  }, [src]);
  const toggle = () => {
    const a = audio.current;
    if (!a) return;
    if (a.paused) a.play().catch(() => setPlaying(false));
    else a.pause();
  };
  const frac = total ? Math.min(1, pos / total) : 0;
  return (
    <div class="voice-msg">
      <button
        type="button"
        class="voice-play"
        onClick={toggle}
        aria-label={playing ? 'Pause voice message' : 'Play voice message'}
        disabled={!src}
      >
        {playing ? <IconPause size={18} /> : <IconPlay size={18} />}
      </button>
      <span class="voice-track" aria-hidden="true">
        {Array.from({ length: 24 }, (_, i) => (
          <span key={i} class={`bar${i / 24 < frac ? ' done' : ''}`} style={{ height: `${30 + ((i * 37) % 60)}%` }} />
        ))}
      </span>
      <span class="voice-time">{duration(playing || pos ? pos : total)}</span>
      {/* biome-ignore lint/a11y/useMediaCaption: a recorded voice note has no caption track; the play button and time above are its controls. */}
      {src && <audio ref={audio} src={src} preload="metadata" />}
    </div>
  );
}

export function StickerContent({ id }: { id: string }) {
  const ok = (STICKERS as readonly string[]).includes(id);
  return (
    <img
      class="sticker-msg"
      src={ok ? `/stickers/${id}.svg` : '/stickers/smile.svg'}
      alt={`Sticker: ${id}`}
      width={128}
      height={128}
      draggable={false}
    />
  );
}

/** The caption under a picture or video, as typed (no mentions: captions carry none). */
export function Caption({ text }: { text?: string }) {
  if (!text) return null;
  return (
    <div class="caption media-caption" data-testid="caption">
      <RichText text={text} mentionNames={[]} />
    </div>
  );
}

/** The body of a message entry by kind. */
export function EntryContent({
  e,
  mentionNames,
  onOpenImage,
}: {
  e: Entry;
  mentionNames: string[];
  onOpenImage: (url: string) => void;
}) {
  switch (e.kind) {
    case 'image':
      return (
        <>
          <ImageContent media={e.media} onOpen={onOpenImage} />
          {e.text && (
            <div class="caption msg-text">
              <RichText text={e.text} mentionNames={mentionNames} />
            </div>
          )}
          <Caption text={e.caption} />
        </>
      );
    case 'voice':
      return <VoiceContent media={e.media} durationMs={Number(e.data?.durationMs ?? 0)} />;
    case 'video':
      return (
        <>
          <VideoContent media={e.media} />
          <Caption text={e.caption} />
        </>
      );
    case 'file':
      return <FileContent media={e.media} />;
    case 'sticker':
      return <StickerContent id={String(e.data?.id ?? 'smile')} />;
    case 'link':
      return <RichText text={String(e.data?.url ?? e.text ?? '')} mentionNames={[]} />;
    default:
      return (
        <span class="msg-text">
          <RichText text={e.text ?? ''} mentionNames={mentionNames} />
        </span>
      );
  }
}
