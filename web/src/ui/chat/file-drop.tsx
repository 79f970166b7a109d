import { useRef, useState } from 'preact/hooks';
import { stageFiles } from '../../state/staged.js';
import { toast } from '../common/widgets.js';
import { IconPaperclip } from '../icons.js';

const hasFiles = (dt: DataTransfer | null) => !!dt && Array.from(dt.types).includes('Files');

function stage(cid: string, files: File[]) {
  if (!files.length) return;
  const refused = stageFiles(cid, files);
  if (refused) toast(`${refused} more ${refused === 1 ? 'file does' : 'files do'} not fit; send these first`, 'error');
}

/**
 * Drag-and-drop and paste of files into a chat: both stage the files in the composer, as the
 * attach buttons do. While files are dragged over the chat a drop target covers it (counted
 * enter/leave, since children fire their own). Pasted text is left to the textarea.
 */
export function useFileDrop(cid: string, enabled: boolean) {
  const [over, setOver] = useState(false);
  const depth = useRef(0);
  if (!enabled) return { handlers: {}, overlay: null };
  const handlers = {
    onDragEnter: (e: DragEvent) => {
      if (!hasFiles(e.dataTransfer)) return;
      e.preventDefault();
      depth.current++;
      setOver(true);
    },
    onDragOver: (e: DragEvent) => {
      if (!hasFiles(e.dataTransfer)) return;
      e.preventDefault();
      if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
    },
    onDragLeave: (e: DragEvent) => {
      if (!hasFiles(e.dataTransfer)) return;
      depth.current = Math.max(0, depth.current - 1);
      if (depth.current === 0) setOver(false);
    },
    onDrop: (e: DragEvent) => {
      depth.current = 0;
      setOver(false);
      if (!hasFiles(e.dataTransfer)) return;
      e.preventDefault();
      stage(cid, Array.from(e.dataTransfer?.files ?? []));
    },
    onPaste: (e: ClipboardEvent) => {
      const files = Array.from(e.clipboardData?.files ?? []);
      if (!files.length) return;
      e.preventDefault();
      stage(cid, files);
    },
  };
  const overlay = over ? (
    <div class="drop-target" data-testid="drop-target" aria-hidden="true">
      <IconPaperclip size={32} />
      <span>Drop files to send them here</span>
    </div>
  ) : null;
  return { handlers, overlay };
}
