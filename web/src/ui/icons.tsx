import type { JSX } from 'preact';

/* Inline SVG icons (24×24, stroked), so the page needs no icon font or image requests. */
type P = { size?: number; class?: string; title?: string };

function svg(paths: JSX.Element, { size = 20, class: cls, title }: P) {
  return (
    // biome-ignore lint/a11y/noSvgWithoutTitle: titled (role img) when it means something, aria-hidden when decorative.
    <svg
      class={`icon ${cls ?? ''}`}
      width={size}
      height={size}
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      stroke-width="1.8"
      stroke-linecap="round"
      stroke-linejoin="round"
      aria-hidden={title ? undefined : 'true'}
      role={title ? 'img' : undefined}
    >
      {title && <title>{title}</title>}
      {paths}
    </svg>
  );
}

export const IconChat = (p: P) => svg(<path d="M21 12a8 8 0 0 1-11.6 7.1L4 20l1-4.6A8 8 0 1 1 21 12z" />, p);
export const IconUsers = (p: P) =>
  svg(
    <>
      <circle cx="9" cy="8" r="3.5" />
      <path d="M2.5 20a6.5 6.5 0 0 1 13 0" />
      <path d="M16 4.5a3.5 3.5 0 0 1 0 7" />
      <path d="M18 14.5a6.5 6.5 0 0 1 3.5 5.5" />
    </>,
    p,
  );
export const IconGroup = (p: P) =>
  svg(
    <>
      <rect x="3" y="4" width="18" height="14" rx="3" />
      <circle cx="9" cy="10" r="2" />
      <circle cx="15" cy="10" r="2" />
      <path d="M6 15.5c.8-1.3 1.8-2 3-2s2.2.7 3 2M12 15.5c.8-1.3 1.8-2 3-2s2.2.7 3 2" />
    </>,
    p,
  );
export const IconUser = (p: P) =>
  svg(
    <>
      <circle cx="12" cy="8" r="4" />
      <path d="M4 21a8 8 0 0 1 16 0" />
    </>,
    p,
  );
export const IconSend = (p: P) => svg(<path d="M4 12 20 4l-6 16-3-7-7-1z" />, p);
export const IconSmile = (p: P) =>
  svg(
    <>
      <circle cx="12" cy="12" r="9" />
      <path d="M8.5 14.5a4.5 4.5 0 0 0 7 0" />
      <path d="M9 9.5h.01M15 9.5h.01" />
    </>,
    p,
  );
export const IconSticker = (p: P) =>
  svg(
    <>
      <path d="M20 13V7a3 3 0 0 0-3-3H7a3 3 0 0 0-3 3v10a3 3 0 0 0 3 3h6z" />
      <path d="M13 20v-4a3 3 0 0 1 3-3h4" />
    </>,
    p,
  );
export const IconImage = (p: P) =>
  svg(
    <>
      <rect x="3" y="4" width="18" height="16" rx="3" />
      <circle cx="9" cy="10" r="2" />
      <path d="m21 16-5-5-9 9" />
    </>,
    p,
  );
export const IconPaperclip = (p: P) =>
  svg(<path d="m20 11-8.5 8.5a5 5 0 0 1-7-7L13 4a3.5 3.5 0 0 1 5 5l-8.5 8.5a2 2 0 0 1-3-3L14 7" />, p);
export const IconMic = (p: P) =>
  svg(
    <>
      <rect x="9" y="3" width="6" height="11" rx="3" />
      <path d="M5 11a7 7 0 0 0 14 0M12 18v3" />
    </>,
    p,
  );
export const IconStop = (p: P) => svg(<rect x="6" y="6" width="12" height="12" rx="2" />, p);
export const IconPlay = (p: P) => svg(<path d="M7 5v14l12-7z" />, p);
export const IconPause = (p: P) => svg(<path d="M8 5v14M16 5v14" />, p);
export const IconReply = (p: P) =>
  svg(
    <>
      <path d="M9 14 4 9l5-5" />
      <path d="M4 9h10a6 6 0 0 1 6 6v4" />
    </>,
    p,
  );
export const IconEdit = (p: P) =>
  svg(
    <>
      <path d="M4 20h4L19 9a2.8 2.8 0 0 0-4-4L4 16z" />
      <path d="m13.5 6.5 4 4" />
    </>,
    p,
  );
export const IconUndo = (p: P) =>
  svg(
    <>
      <path d="M9 14 4 9l5-5" />
      <path d="M4 9h11a5 5 0 0 1 0 10h-3" />
    </>,
    p,
  );
export const IconX = (p: P) => svg(<path d="M6 6l12 12M18 6 6 18" />, p);
export const IconBack = (p: P) => svg(<path d="M15 5l-7 7 7 7" />, p);
export const IconPlus = (p: P) => svg(<path d="M12 5v14M5 12h14" />, p);
export const IconSearch = (p: P) =>
  svg(
    <>
      <circle cx="11" cy="11" r="7" />
      <path d="m20 20-4-4" />
    </>,
    p,
  );
export const IconBell = (p: P) =>
  svg(
    <>
      <path d="M6 9a6 6 0 0 1 12 0c0 6 2.5 7.5 2.5 7.5h-17S6 15 6 9" />
      <path d="M10 20a2 2 0 0 0 4 0" />
    </>,
    p,
  );
export const IconBellOff = (p: P) =>
  svg(
    <>
      <path d="M6 9a6 6 0 0 1 9.5-4.9M18 9c0 6 2.5 7.5 2.5 7.5H8" />
      <path d="M10 20a2 2 0 0 0 4 0M3 3l18 18" />
    </>,
    p,
  );
export const IconPin = (p: P) =>
  svg(
    <>
      <path d="M9 4h6l-1 5 3 3v2H7v-2l3-3z" />
      <path d="M12 14v6" />
    </>,
    p,
  );
export const IconCheck = (p: P) => svg(<path d="m5 12 4.5 4.5L19 7" />, p);
export const IconCheckAll = (p: P) =>
  svg(
    <>
      <path d="m2 12 4.5 4.5L16 7" />
      <path d="m10.5 16.5 1 .5L21 7" />
    </>,
    p,
  );
export const IconFile = (p: P) =>
  svg(
    <>
      <path d="M14 3H7a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h10a2 2 0 0 0 2-2V8z" />
      <path d="M14 3v5h5" />
    </>,
    p,
  );
export const IconDownload = (p: P) =>
  svg(
    <>
      <path d="M12 4v11M7 10l5 5 5-5" />
      <path d="M5 20h14" />
    </>,
    p,
  );
export const IconLogout = (p: P) =>
  svg(
    <>
      <path d="M15 4h3a2 2 0 0 1 2 2v12a2 2 0 0 1-2 2h-3" />
      <path d="M10 16l-4-4 4-4M6 12h10" />
    </>,
    p,
  );
export const IconMore = (p: P) =>
  svg(
    <>
      <circle cx="5" cy="12" r="1" />
      <circle cx="12" cy="12" r="1" />
      <circle cx="19" cy="12" r="1" />
    </>,
    p,
  );
export const IconShield = (p: P) => svg(<path d="M12 3 5 6v6c0 4.5 3 7.5 7 9 4-1.5 7-4.5 7-9V6z" />, p);
export const IconCamera = (p: P) =>
  svg(
    <>
      <path d="M4 8h3l2-3h6l2 3h3v11H4z" />
      <circle cx="12" cy="13" r="3.5" />
    </>,
    p,
  );
export const IconWifiOff = (p: P) =>
  svg(
    <>
      <path d="M3 3l18 18M8.5 16.5a5 5 0 0 1 7 0M5 12.5a10 10 0 0 1 4.5-2.4M19 12.5a10 10 0 0 0-2.8-1.9M2 9a15 15 0 0 1 4.3-2.6M22 9a15 15 0 0 0-9.5-3.9" />
      <path d="M12 20h.01" />
    </>,
    p,
  );
export const IconInfo = (p: P) =>
  svg(
    <>
      <circle cx="12" cy="12" r="9" />
      <path d="M12 11v5M12 8h.01" />
    </>,
    p,
  );
