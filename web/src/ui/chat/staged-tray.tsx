import { fileSize } from '../../format.js';
import { type StagedFile, unstage } from '../../state/staged.js';
import { IconFile, IconX } from '../icons.js';

/**
 * The files waiting in the composer (picked, pasted or dropped): a thumbnail or name each, with
 * a button to take it out. Send sends them, the typed text becoming the first picture's caption.
 */
export function StagedTray({ cid, files }: { cid: string; files: StagedFile[] }) {
  return (
    <ul class="staged-tray" aria-label="Files to send">
      {files.map((s) => (
        <li key={s.id} class={`staged kind-${s.kind}`} data-kind={s.kind}>
          {s.previewUrl ? (
            <img src={s.previewUrl} alt={s.file.name || 'Picture'} />
          ) : (
            <span class="staged-file">
              <IconFile size={18} />
              <span class="staged-name">{s.file.name || (s.kind === 'video' ? 'Video' : 'File')}</span>
              <span class="muted">{fileSize(s.file.size)}</span>
            </span>
          )}
          <button
            type="button"
            class="staged-remove"
            onClick={() => unstage(cid, s.id)}
            aria-label={`Remove ${s.file.name || 'attachment'}`}
          >
            <IconX size={14} />
          </button>
        </li>
      ))}
    </ul>
  );
}
