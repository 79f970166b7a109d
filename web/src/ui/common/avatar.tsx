import { useEffect, useState } from 'preact/hooks';
import { cachedMediaUrl, mediaUrl } from '../../state/users.js';

const PALETTE = ['#5b8def', '#e5734a', '#3fae7a', '#a35ee0', '#e0a43a', '#2fa7b8', '#d9537a', '#7b8794'];

function colour(seed: string): string {
  let h = 0;
  for (let i = 0; i < seed.length; i++) h = (h * 31 + seed.charCodeAt(i)) >>> 0;
  return PALETTE[h % PALETTE.length]!;
}

function initials(name: string): string {
  const words = name
    .trim()
    .split(/\s+/)
    .map((w) => w.replace(/^[^\p{L}\p{N}]+/u, ''))
    .filter(Boolean);
  const chars = words.length > 1 ? [words[0]![0], words[1]![0]] : [...(words[0] ?? '?')].slice(0, 2);
  return chars.join('').toUpperCase();
}

/** A round avatar: the uploaded picture when there is one, else coloured initials. */
export function Avatar({
  id,
  name,
  media,
  size = 40,
  online,
  square,
}: {
  id: string;
  name: string;
  media?: string | null;
  size?: number;
  online?: boolean;
  square?: boolean;
}) {
  const [url, setUrl] = useState<string | undefined>(() => (media ? cachedMediaUrl(media) : undefined));
  useEffect(() => {
    let live = true;
    if (!media) setUrl(undefined);
    else mediaUrl(media).then((u) => live && setUrl(u));
    return () => {
      live = false;
    };
  }, [media]);
  const style = { width: `${size}px`, height: `${size}px`, fontSize: `${Math.round(size * 0.38)}px` };
  return (
    <span class={`avatar${square ? ' square' : ''}`} style={style}>
      {url ? (
        <img src={url} alt="" draggable={false} />
      ) : (
        <span class="initials" style={{ background: colour(id || name) }}>
          {initials(name)}
        </span>
      )}
      {online !== undefined && (
        <span
          class={`presence ${online ? 'on' : 'off'}`}
          title={online ? 'Online' : 'Offline'}
          data-online={String(online)}
        />
      )}
    </span>
  );
}
