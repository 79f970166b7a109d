import { useMemo, useState } from 'preact/hooks';
import { groupOf, peerOf } from '../../api/conversation-ids.js';
import { humanReason } from '../../api/error-text.js';
import { receipts } from '../../api/receipts-api.js';
import type { Entry } from '../../api/types.js';
import { type AppState, app } from '../../state/app.js';
import { useStore } from '../../state/store.js';
import { Modal, toast } from '../common/widgets.js';
import { preview } from './describe.js';

/** Conversations shown per page of the picker. */
const PAGE = 20;
/** The server's bound on targets of one forward. */
const MAX_TARGETS = 10;
/** The kinds the server forwards (docs/protocol.md, "Forwarding"). */
export const FORWARDABLE = new Set(['text', 'image', 'voice', 'file', 'video', 'sticker']);

function titleOf(s: AppState, cid: string): string {
  const gid = groupOf(cid);
  if (gid) return s.groups[gid]?.name || 'Group';
  const peer = peerOf(cid, s.me?.id);
  const u = peer ? s.users[peer] : undefined;
  return (peer && s.remarks[peer]) || u?.nickname || u?.username || 'Chat';
}

const newClientId = () => `fwd-${crypto.randomUUID().replace(/-/g, '').slice(0, 24)}`;

/**
 * The conversation picker of "Forward": every chat I may post in (direct chats, groups I am in),
 * searchable by name, paged, several at once (up to the server's bound).
 */
export function ForwardDialog({ cid, entry, onClose }: { cid: string; entry: Entry; onClose: () => void }) {
  const conversations = useStore(app, (s) => s.conversations);
  const myGroups = useStore(app, (s) => s.myGroups);
  const state = app.get();
  const [q, setQ] = useState('');
  const [shown, setShown] = useState(PAGE);
  const [picked, setPicked] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const all = useMemo(
    () =>
      Object.values(conversations)
        .filter((c) => c.kind === 'dm' || (c.groupId !== undefined && !!myGroups?.includes(c.groupId)))
        .map((c) => ({ id: c.id, title: titleOf(state, c.id), ts: c.lastMessage?.ts ?? 0 }))
        .sort((a, b) => b.ts - a.ts || a.title.localeCompare(b.title)),
    [conversations, myGroups],
  );
  const needle = q.trim().toLowerCase();
  const matches = needle ? all.filter((c) => c.title.toLowerCase().includes(needle)) : all;
  const toggle = (id: string) =>
    setPicked((xs) => (xs.includes(id) ? xs.filter((x) => x !== id) : xs.length < MAX_TARGETS ? [...xs, id] : xs));
  const send = async () => {
    setBusy(true);
    try {
      const results = await receipts.forward(
        cid,
        entry.seq,
        picked.map((to) => ({ to, clientId: newClientId() })),
      );
      const failed = results.filter((r) => r.error);
      if (failed.length === 0) toast(picked.length === 1 ? 'Forwarded' : `Forwarded to ${picked.length} chats`);
      else
        toast(
          `Not forwarded to ${failed.map((r) => titleOf(app.get(), r.to)).join(', ')}: ${humanReason(failed[0]!.error)}`,
          'error',
        );
      onClose();
    } catch (e) {
      toast(humanReason(e), 'error');
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal title="Forward to" onClose={onClose}>
      <p class="forward-preview muted">“{preview(entry)}”</p>
      <input
        type="search"
        class="forward-search"
        placeholder="Search chats"
        aria-label="Search chats"
        value={q}
        onInput={(e) => {
          setQ((e.target as HTMLInputElement).value);
          setShown(PAGE);
        }}
      />
      <ul class="forward-list" aria-label="Chats to forward to">
        {matches.slice(0, shown).map((c) => (
          <li key={c.id}>
            <label class="forward-item">
              <input
                type="checkbox"
                checked={picked.includes(c.id)}
                disabled={!picked.includes(c.id) && picked.length >= MAX_TARGETS}
                onChange={() => toggle(c.id)}
              />
              <span>{c.title}</span>
            </label>
          </li>
        ))}
        {matches.length === 0 && <li class="muted">No chats match</li>}
      </ul>
      {matches.length > shown && (
        <button type="button" class="btn ghost" onClick={() => setShown((n) => n + PAGE)}>
          Show more chats
        </button>
      )}
      <div class="modal-actions">
        <button type="button" class="btn ghost" onClick={onClose}>
          Cancel
        </button>
        <button type="button" class="btn primary" disabled={busy || picked.length === 0} onClick={send}>
          {picked.length > 1 ? `Forward to ${picked.length}` : 'Forward'}
        </button>
      </div>
    </Modal>
  );
}

/** The "Forwarded from …" line on a forwarded bubble. */
export function ForwardedLine({ e }: { e: Entry }) {
  if (!e.forwarded) return null;
  const name = e.forwarded.name;
  return (
    <div class="forwarded-line" data-forwarded={e.forwarded.from ?? ''}>
      {name ? `Forwarded from ${name}` : 'Forwarded'}
    </div>
  );
}

/** A curved arrow pointing right (the Forward action). */
export function IconForward({ size = 16 }: { size?: number }) {
  return (
    <svg
      width={size}
      height={size}
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      stroke-width="2"
      stroke-linecap="round"
      stroke-linejoin="round"
      aria-hidden="true"
    >
      <path d="M15 5l6 6-6 6" />
      <path d="M21 11H10a6 6 0 0 0-6 6v2" />
    </svg>
  );
}
