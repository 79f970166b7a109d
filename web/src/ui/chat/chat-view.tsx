import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { conversations as convApi, groups as groupsApi } from '../../api/endpoints.js';
import { humanReason } from '../../api/error-text.js';
import type { Entry, Member } from '../../api/types.js';
import { dayKey, dayLabel, plural } from '../../format.js';
import { live } from '../../net/live.js';
import { outbox } from '../../net/outbox.js';
import { navigate } from '../../router.js';
import { app, markComplete, receiveEntries, rememberUsers } from '../../state/app.js';
import { useNow, useRecallWindow } from '../../state/limits.js';
import { useStore } from '../../state/store.js';
import { lastSeenText, useLastSeen } from '../../state/last-seen.js';
import { ensureUsers } from '../../state/users.js';
import { emptyTimeline, isVisible, lastVisible } from '../../state/timeline.js';
import { Avatar } from '../common/avatar.js';
import { Modal, toast } from '../common/widgets.js';
import { IconBack, IconInfo, IconMore, IconSearch } from '../icons.js';
import { openPerson } from '../profile/person-screen.js';
import { Composer, type ComposerMode } from './composer.js';
import { useFileDrop } from './file-drop.js';
import { useMyMute } from './my-mute.js';
import { untilPhrase } from '../groups/mute.js';
import { useConversationMeta } from './conversation-meta.js';
import { isDissolved, preview, systemText } from './describe.js';
import { MessageItem, PendingItem } from './message-item.js';
import { ChatSearch } from './search-results.js';
import { useJumpTo } from './use-jump.js';
import { requestJump } from '../../state/jump.js';
import { PinnedBar } from './pinned-bar.js';
import { WhoReacted } from './reactions.js';
import { pinText } from './describe.js';
import { ForwardDialog } from './forward-dialog.js';
import { SeenBy, Ticks, useSeenCounts, useTickState } from './ticks.js';

const PAGE = 40;

/** A refusal inside a chat, in plain words (never the server's developer wording). */
const chatError = (e: unknown) => toast(humanReason(e), 'error');

/** The open conversation: header, scrollable history with day separators, composer. */
export function ChatView({ cid }: { cid: string }) {
  const me = useStore(app, (s) => s.me!);
  const summary = useStore(app, (s) => s.conversations[cid]);
  const tl = useStore(app, (s) => s.timelines[cid] ?? emptyTimeline);
  const pending = useStore(app, (s) => s.pending[cid]);
  const typingMap = useStore(app, (s) => s.typing[cid]);
  // Live receipts and the summary's stored position: whichever is further (neither moves back).
  const peerRead = useStore(app, (s) => Math.max(s.peerRead[cid] ?? 0, s.conversations[cid]?.peerReadSeq ?? 0));
  const users = useStore(app, (s) => s.users);
  const meta = useConversationMeta(cid, summary);
  const seen = useLastSeen(meta.kind === 'dm' ? meta.peerId : undefined);
  const [members, setMembers] = useState<Member[]>([]);
  const [mode, setMode] = useState<ComposerMode>({});
  const [image, setImage] = useState<string | undefined>();
  const [recalling, setRecalling] = useState<Entry | undefined>();
  const [whoReacted, setWhoReacted] = useState<number | undefined>();
  const [forwarding, setForwarding] = useState<Entry | undefined>();
  const tickOf = useTickState(cid);
  const [loading, setLoading] = useState(false);
  const [atBottom, setAtBottom] = useState(true);
  const [, tick] = useState(0);
  const scroller = useRef<HTMLDivElement>(null);
  const anchor = useRef<{ height: number; top: number } | undefined>(undefined);
  const stick = useRef(true);
  const [searching, setSearching] = useState(false);
  useJumpTo(cid, tl, scroller, stick);

  // Latest page on open (merges with anything live frames already brought).
  useEffect(() => {
    let live = true;
    setLoading(true);
    convApi
      .history(cid, { limit: PAGE })
      .then((items) => {
        if (!live) return;
        if (items.length) receiveEntries(cid, items, { history: true });
        if (items.length < PAGE) markComplete(cid);
      }, chatError)
      .finally(() => live && setLoading(false));
    return () => {
      live = false;
    };
  }, [cid]);

  const myGroups = useStore(app, (s) => s.myGroups);
  const inGroup = meta.kind === 'group' && !!myGroups?.includes(meta.id);
  useEffect(() => {
    if (!inGroup) return setMembers([]);
    groupsApi.members(meta.id).then(
      (m) => {
        setMembers(m);
        rememberUsers(m.map((x) => x.user));
      },
      () => {},
    );
  }, [cid, inGroup, meta.id]);

  // System lines name people who may be in no list I have loaded (e.g. after a dissolve).
  useEffect(() => {
    const ids = new Set<string>();
    for (const e of tl.entries)
      if (e.kind === 'system' && e.system)
        for (const id of [e.system.actor, ...(e.system.users ?? [])]) if (id) ids.add(id);
    ensureUsers(ids);
  }, [tl.entries]);

  // Typing indicators expire on their own.
  useEffect(() => {
    if (!typingMap) return;
    const t = setInterval(() => tick((n) => n + 1), 1000);
    return () => clearInterval(t);
  }, [typingMap]);

  const loadOlder = useCallback(async () => {
    if (loading || tl.complete || !Number.isFinite(tl.oldest) || tl.oldest <= (summary?.minSeq ?? 1)) return;
    const el = scroller.current!;
    anchor.current = { height: el.scrollHeight, top: el.scrollTop };
    setLoading(true);
    try {
      const items = await convApi.history(cid, { before: tl.oldest, limit: PAGE });
      if (items.length) receiveEntries(cid, items, { history: true });
      if (items.length < PAGE) markComplete(cid);
    } catch (e) {
      chatError(e);
    } finally {
      setLoading(false);
    }
  }, [cid, loading, tl.oldest, tl.complete, summary?.minSeq]);

  // Keep the reader's place: after older entries are prepended, shift by the added height.
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    if (anchor.current) {
      el.scrollTop = anchor.current.top + (el.scrollHeight - anchor.current.height);
      anchor.current = undefined;
    } else if (stick.current) {
      el.scrollTop = el.scrollHeight;
    }
  }, [tl.entries, pending]);

  const onScroll = () => {
    const el = scroller.current!;
    const bottom = el.scrollHeight - el.scrollTop - el.clientHeight < 48;
    stick.current = bottom;
    if (bottom !== atBottom) setAtBottom(bottom);
    if (el.scrollTop < 120) void loadOlder();
  };

  // Mark read when the newest entry is on screen and the tab is visible.
  const top = tl.entries.length ? tl.entries[tl.entries.length - 1]!.seq : 0;
  useEffect(() => {
    const mark = () => {
      if (document.hidden || !atBottom || !top) return;
      const read = app.get().conversations[cid]?.readSeq ?? 0;
      if (top > read) live.read(cid, top);
    };
    mark();
    document.addEventListener('visibilitychange', mark);
    return () => document.removeEventListener('visibilitychange', mark);
  }, [cid, top, atBottom]);

  const recallWindow = useRecallWindow();
  useNow(5000); // re-renders, so edit and recall go away when their time is up
  const now = Date.now();
  // Unknown window (not loaded yet): offer, and let the server decide.
  const changeable = (e: Entry) => recallWindow === undefined || now - e.ts <= recallWindow;
  const myRole = members.find((m) => m.user.id === me.id)?.role;
  const isAdmin = myRole === 'owner' || myRole === 'admin';
  const mentionNames = members.map((m) => m.user.nickname);
  // Quote taps and the pinned bar jump like a search hit: history loads back to the message.
  const jumpTo = (seq: number) => requestJump(cid, seq);
  const actions = {
    reply: (e: Entry) => setMode({ reply: e }),
    edit: (e: Entry) => setMode({ edit: e }),
    // Recall cannot be undone, so it asks first.
    recall: (e: Entry) => setRecalling(e),
    openImage: (url: string) => setImage(url),
    jumpTo,
    react: (e: Entry, emoji: string, remove: boolean) => live.react(cid, e.seq, emoji, remove).catch(chatError),
    whoReacted: (e: Entry) => setWhoReacted(e.seq),
    pin: (e: Entry, remove: boolean) => live.pin(cid, e.seq, remove).catch(chatError),
    forward: (e: Entry) => setForwarding(e),
  };
  // The pinned bar reads the list again when a pin, unpin or recall arrives.
  const pinVersion = tl.entries
    .filter((e) => e.kind === 'pin' || e.kind === 'unpin' || e.kind === 'recall')
    .map((e) => e.seq)
    .join(',');
  const seenCounts = useSeenCounts(
    cid,
    tl.entries.filter((e) => e.sender === me.id && !e.recalled && e.kind !== 'system').map((e) => e.seq),
    meta.kind === 'group' && inGroup,
  );

  const typers = Object.entries(typingMap ?? {})
    .filter(([, until]) => until > Date.now())
    .map(([u]) => users[u]?.nickname ?? 'Someone');
  const dissolved = meta.kind === 'group' && isDissolved(lastVisible(tl) ?? summary?.lastMessage);
  const subtitle = dissolved
    ? 'This group was dissolved'
    : typers.length
      ? `${typers.join(', ')} ${typers.length > 1 ? 'are' : 'is'} typing…`
      : meta.kind === 'group'
        ? plural(meta.group?.memberCount || members.length, 'member')
        : meta.online
          ? 'online'
          : seen
            ? lastSeenText(seen)
            : 'offline';

  // The typing bubble appearing at the bottom should not hide under the composer.
  useLayoutEffect(() => {
    const el = scroller.current;
    if (el && stick.current) el.scrollTop = el.scrollHeight;
  }, [typers.length]);

  const rows: preact.JSX.Element[] = [];
  let prev: Entry | undefined;
  for (const e of tl.entries) {
    if (!isVisible(e) || e.seq < tl.oldest) continue;
    if (!prev || dayKey(prev.ts) !== dayKey(e.ts))
      rows.push(
        // biome-ignore lint/a11y/useSemanticElements: a separator with a visible day label; <hr> cannot hold text.
        <div class="day-sep" key={`d${e.seq}`} role="separator">
          <span>{dayLabel(e.ts)}</span>
        </div>,
      );
    if (e.kind === 'pin' || e.kind === 'unpin') {
      rows.push(
        <button
          type="button"
          class="system-msg pin-line"
          key={e.seq}
          data-seq={e.seq}
          onClick={() => e.target !== undefined && jumpTo(e.target)}
        >
          {pinText(e, (id) => users[id], me.id)}
        </button>,
      );
    } else if (e.kind === 'system') {
      rows.push(
        <div class="system-msg" key={e.seq} data-seq={e.seq}>
          {systemText(e, (id) => users[id], me.id)}
        </div>,
      );
    } else {
      const mine = e.sender === me.id;
      const first =
        !prev ||
        prev.sender !== e.sender ||
        prev.kind === 'system' ||
        e.ts - prev.ts > 5 * 60_000 ||
        dayKey(prev.ts) !== dayKey(e.ts);
      const quoted = e.replyTo !== undefined ? tl.entries.find((x) => x.seq === e.replyTo) : undefined;
      rows.push(
        <MessageItem
          key={e.seq}
          e={e}
          mine={mine}
          sender={e.sender ? users[e.sender] : undefined}
          showSender={meta.kind === 'group'}
          first={first}
          quoted={quoted}
          quotedName={quoted?.sender === me.id ? 'You' : quoted?.sender ? users[quoted.sender]?.nickname : undefined}
          mentionNames={mentionNames}
          mentionsMe={!!e.mentions?.includes(me.id)}
          read={meta.kind === 'dm' && mine ? peerRead >= e.seq : undefined}
          status={
            mine && meta.kind === 'dm' ? (
              <Ticks state={tickOf(e.seq)} />
            ) : mine && (seenCounts[e.seq] ?? 0) > 0 ? (
              <SeenBy cid={cid} seq={e.seq} count={seenCounts[e.seq]!} />
            ) : undefined
          }
          canRecall={isAdmin || (mine && changeable(e))}
          canEdit={mine && e.kind === 'text' && changeable(e)}
          canPin={!dissolved && (meta.kind !== 'group' || isAdmin)}
          actions={actions}
        />,
      );
    }
    prev = e;
  }

  const left = meta.kind === 'group' && myGroups !== undefined && !inGroup;
  const mutedUntil = useMyMute(tl.entries, me.id, meta.group?.mutedUntil);
  const closed = dissolved
    ? 'This group was dissolved. Nobody can send messages here any more.'
    : left
      ? 'You are no longer a member of this group.'
      : mutedUntil && meta.kind === 'group'
        ? `An admin muted you in this group ${untilPhrase(mutedUntil, 'you')}. You can read along but not send messages.`
        : undefined;
  const drop = useFileDrop(cid, !closed);
  return (
    <div class="chat" data-cid={cid} data-dissolved={dissolved || undefined} {...drop.handlers}>
      {drop.overlay}
      <header class="chat-head">
        <button type="button" class="icon-btn back" onClick={() => navigate('/')} aria-label="Back to chats">
          <IconBack />
        </button>
        <Avatar
          id={meta.id}
          name={meta.title}
          media={meta.avatar}
          size={38}
          online={meta.online}
          square={meta.kind === 'group'}
        />
        <div class="chat-title">
          <h2>{meta.title}</h2>
          <span class={`chat-sub${typers.length ? ' typing' : ''}`} data-testid="chat-subtitle">
            {subtitle}
          </span>
        </div>
        {meta.kind === 'dm' && meta.peerId && (
          <button
            type="button"
            class="icon-btn"
            onClick={() => openPerson(meta.peerId!)}
            aria-label={`Profile of ${meta.title}`}
          >
            <IconInfo />
          </button>
        )}
        <button
          type="button"
          class="icon-btn"
          onClick={() => setSearching(!searching)}
          aria-label="Search this chat"
          aria-expanded={searching}
        >
          <IconSearch />
        </button>
        {inGroup && (
          <button
            type="button"
            class="icon-btn"
            onClick={() => navigate({ name: 'groups', id: meta.id })}
            aria-label="Group info"
          >
            <IconMore />
          </button>
        )}
      </header>
      {searching && <ChatSearch cid={cid} onClose={() => setSearching(false)} />}
      <PinnedBar cid={cid} version={pinVersion} jumpTo={jumpTo} />
      <div class="messages" ref={scroller} onScroll={onScroll} role="log" aria-live="polite" aria-label="Messages">
        <div class="history-edge">
          {loading ? (
            <span class="spinner small" role="status" aria-label="Loading history" />
          ) : tl.complete ? (
            <span class="muted">This is the beginning of the conversation</span>
          ) : null}
        </div>
        {rows}
        {pending?.map((p) => (
          <PendingItem
            key={p.clientId}
            p={p}
            onRetry={() => outbox.retry(cid, p.clientId)}
            onDiscard={() => outbox.discard(cid, p.clientId)}
          />
        ))}
        {typers.length > 0 && (
          <div class="typing-bubble" role="status" aria-label="typing">
            <span />
            <span />
            <span />
          </div>
        )}
      </div>
      <Composer
        cid={cid}
        mode={mode}
        setMode={setMode}
        members={members.filter((m) => m.user.id !== me.id)}
        replyName={
          mode.reply ? (mode.reply.sender === me.id ? 'yourself' : users[mode.reply.sender ?? '']?.nickname) : undefined
        }
        disabled={closed}
      />
      {forwarding && <ForwardDialog cid={cid} entry={forwarding} onClose={() => setForwarding(undefined)} />}
      {recalling && (
        <Modal title="Recall this message?" onClose={() => setRecalling(undefined)}>
          <p class="confirm-text">
            “{preview(recalling)}” will be removed for everyone in this chat. This cannot be undone.
          </p>
          <div class="modal-actions">
            <button type="button" class="btn ghost" onClick={() => setRecalling(undefined)}>
              Cancel
            </button>
            <button
              type="button"
              class="btn danger"
              onClick={() => {
                const e = recalling;
                setRecalling(undefined);
                live.recall(cid, e.seq).catch(chatError);
              }}
            >
              Recall
            </button>
          </div>
        </Modal>
      )}
      {whoReacted !== undefined && <WhoReacted cid={cid} seq={whoReacted} onClose={() => setWhoReacted(undefined)} />}
      {image && (
        <Modal title="Picture" onClose={() => setImage(undefined)} wide>
          <img class="lightbox-img" src={image} alt="Full size" />
        </Modal>
      )}
    </div>
  );
}
