import { Store } from './store.js';

/** How a staged file will be sent: a picture or video shows inline; anything else as a file. */
export type StagedKind = 'image' | 'video' | 'file';

/** A file picked, pasted or dropped into a chat, waiting in the composer until Send. */
export interface StagedFile {
  id: string;
  file: File;
  kind: StagedKind;
  /** Object URL of a picture, for the thumbnail in the tray (revoked when it leaves). */
  previewUrl?: string;
}

/** Longest caption the server takes (CAPTION_TOO_LONG past it). */
export const CAPTION_LIMIT = 1024;
/** How many files one composer holds at once; more are refused with a toast. */
export const STAGE_LIMIT = 10;

/** conversation → files staged there, in the order they came. */
export const staged = new Store<Record<string, StagedFile[]>>({});

let next = 0;

function kindOf(f: File, asImage: boolean): StagedKind {
  if (f.type.startsWith('video/')) return 'video';
  if (asImage && f.type.startsWith('image/')) return 'image';
  return 'file';
}

/**
 * Stages files for a conversation. `asImage` false (the paperclip) sends pictures as plain files.
 * Answers how many did not fit under {@link STAGE_LIMIT}.
 */
export function stageFiles(cid: string, files: Iterable<File>, asImage = true): number {
  const list = [...(staged.get()[cid] ?? [])];
  let refused = 0;
  for (const file of files) {
    if (list.length >= STAGE_LIMIT) {
      refused++;
      continue;
    }
    const kind = kindOf(file, asImage);
    list.push({
      id: `s${++next}`,
      file,
      kind,
      previewUrl: kind === 'image' ? URL.createObjectURL(file) : undefined,
    });
  }
  staged.set((s) => ({ ...s, [cid]: list }));
  return refused;
}

/** Drops one staged file (its thumbnail URL is revoked). */
export function unstage(cid: string, id: string) {
  const list = staged.get()[cid] ?? [];
  const gone = list.find((x) => x.id === id);
  if (gone?.previewUrl) URL.revokeObjectURL(gone.previewUrl);
  staged.set((s) => ({ ...s, [cid]: list.filter((x) => x.id !== id) }));
}

/** Empties a conversation's tray and hands its files over for sending (thumbnails stay valid). */
export function takeStaged(cid: string): StagedFile[] {
  const list = staged.get()[cid] ?? [];
  if (list.length) staged.set((s) => ({ ...s, [cid]: [] }));
  return list;
}
