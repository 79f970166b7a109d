import { useEffect, useState } from 'preact/hooks';
import { groupOf } from '../../api/conversation-ids.js';
import { conversations as convApi } from '../../api/endpoints.js';
import type { ConversationSummary } from '../../api/types.js';
import { listStamp } from '../../format.js';
import { navigate } from '../../router.js';
import { app, patchConversation } from '../../state/app.js';
import { useDraftText } from '../../state/drafts.js';
import { useStore } from '../../state/store.js';
import { ensureUsers, useUser } from '../../state/users.js';
import { Avatar } from '../common/avatar.js';
import { Empty, toastError } from '../common/widgets.js';
import { IconBellOff, IconChat, IconMore, IconPin } from '../icons.js';
import { useConversationMeta } from './conversation-meta.js';
import { preview } from './describe.js';
import { SearchResults } from './search-results.js';

function sortKey(c: ConversationSummary) {
  return c.lastMessage?.ts ?? 0;
}

function Row({ c, active }: { c: ConversationSummary; active: boolean }) {
  const meta = useConversationMeta(c.id, c);
  const me = useStore(app, (s) => s.me?.id);
  const sender = useUser(
    meta.kind === 'group' && c.lastMessage?.sender && c.lastMessage.sender !== me ? c.lastMessage.sender : undefined,
  );
  const typing = useStore(app, (s) => Object.values(s.typing[c.id] ?? {}).some((t) => t > Date.now()));
  const [menu, setMenu] = useState(false);
  const draft = useDraftText(c.id);
  const last = c.lastMessage;
  const users = useStore(app, (s) => s.users);
  useEffect(() => {
    if (last?.kind === 'system' && last.system) ensureUsers([last.system.actor ?? '', ...(last.system.users ?? [])]);
  }, [last]);
  const text = !last
    ? 'No messages yet'
    : last.kind === 'system'
      ? preview(last, (id) => users[id], me)
      : `${last.sender === me ? 'You: ' : sender ? `${sender.nickname}: ` : ''}${preview(last)}`;

  const toggle = async (field: 'muted' | 'pinned') => {
    setMenu(false);
    const value = !c[field];
    patchConversation(c.id, { [field]: value });
    try {
      await convApi.settings(c.id, { [field]: value });
    } catch (e) {
      patchConversation(c.id, { [field]: !value });
      toastError(e);
    }
  };

  return (
    <li class={`conv${active ? ' active' : ''}${c.unread && !c.muted ? ' has-unread' : ''}`} data-cid={c.id}>
      <a
        href={`/chat/${encodeURIComponent(c.id)}`}
        class="conv-link"
        onClick={(e) => {
          e.preventDefault();
          navigate({ name: 'chats', cid: c.id });
        }}
      >
        <Avatar
          id={meta.id}
          name={meta.title}
          media={meta.avatar}
          size={46}
          online={meta.online}
          square={meta.kind === 'group'}
        />
        <div class="conv-body">
          <div class="conv-top">
            <span class="conv-title">{meta.title}</span>
            {c.pinned && <IconPin size={14} class="conv-flag" title="Pinned" />}
            {c.muted && <IconBellOff size={14} class="conv-flag" title="Muted" />}
            <span class="conv-time">{last ? listStamp(last.ts) : ''}</span>
          </div>
          <div class="conv-bottom">
            {draft && !active && !typing ? (
              <span class="conv-preview" data-draft="true">
                <span class="chat-draft">Draft:</span> {draft}
              </span>
            ) : (
              <span class={`conv-preview${typing ? ' typing' : ''}`}>{typing ? 'typing…' : text}</span>
            )}
            {c.unread > 0 && (
              <span class={`badge${c.muted ? ' muted' : ''}`}>
                <span aria-hidden="true">{c.unread > 99 ? '99+' : c.unread}</span>
                <span class="sr-only">{c.unread} unread</span>
              </span>
            )}
          </div>
        </div>
      </a>
      <button
        type="button"
        class="icon-btn conv-more"
        aria-label="Conversation options"
        aria-expanded={menu}
        onClick={() => setMenu(!menu)}
      >
        <IconMore size={18} />
      </button>
      {menu && (
        <div class="menu" role="menu" onMouseLeave={() => setMenu(false)}>
          <button type="button" role="menuitem" onClick={() => toggle('pinned')}>
            {c.pinned ? 'Unpin' : 'Pin to top'}
          </button>
          <button type="button" role="menuitem" onClick={() => toggle('muted')}>
            {c.muted ? 'Unmute' : 'Mute notifications'}
          </button>
        </div>
      )}
    </li>
  );
}

/** Conversations, pinned first, then by latest activity. */
export function ChatList({ active }: { active?: string }) {
  const map = useStore(app, (s) => s.conversations);
  const [filter, setFilter] = useState('');
  const list = Object.values(map)
    .filter((c) => c.lastMessage || c.maxSeq > 0 || c.id === active || c.kind === 'group')
    .sort((a, b) => Number(b.pinned) - Number(a.pinned) || sortKey(b) - sortKey(a));
  const groups = useStore(app, (s) => s.groups);
  const users = useStore(app, (s) => s.users);
  const q = filter.trim().toLowerCase();
  const shown = q
    ? list.filter((c) => {
        const name =
          c.kind === 'group' ? groups[c.groupId ?? groupOf(c.id) ?? '']?.name : users[c.peer ?? '']?.nickname;
        return (name ?? '').toLowerCase().includes(q);
      })
    : list;
  return (
    <div class="pane">
      <header class="pane-head">
        <h1>Chats</h1>
      </header>
      <div class="pane-search">
        <input
          type="search"
          placeholder="Search chats"
          aria-label="Search chats"
          value={filter}
          onInput={(e) => setFilter(e.currentTarget.value)}
        />
      </div>
      {shown.length === 0 ? (
        <Empty icon={<IconChat size={36} />} title={q ? 'No matches' : 'No conversations yet'}>
          {q ? 'Try another name.' : 'Add a friend or join a group to start chatting.'}
        </Empty>
      ) : (
        <ul class="conv-list" aria-label="Conversations">
          {shown.map((c) => (
            <Row key={c.id} c={c} active={c.id === active} />
          ))}
        </ul>
      )}
      <SearchResults q={filter} />
    </div>
  );
}
