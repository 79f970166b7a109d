import { useEffect, useState } from 'preact/hooks';
import { contacts as api, users as usersApi } from '../../api/endpoints.js';
import type { Contact, ContactRequest, PublicUser, UserBrief } from '../../api/types.js';
import { navigate } from '../../router.js';
import { app, rememberUsers, setPresence, setRemarks } from '../../state/app.js';
import { useStore } from '../../state/store.js';
import { lastSeenStore, lastSeenText } from '../../state/last-seen.js';
import { Avatar } from '../common/avatar.js';
import { Empty, Modal, toast, useAction } from '../common/widgets.js';
import { IconChat, IconCheck, IconSearch, IconUsers, IconX } from '../icons.js';

const dm = (a: string, b: string) => (a < b ? `dm:${a}:${b}` : `dm:${b}:${a}`);

function useSocialData() {
  const version = useStore(app, (s) => s.socialVersion);
  const [data, setData] = useState<{
    friends: Contact[];
    incoming: ContactRequest[];
    outgoing: ContactRequest[];
    blocked: UserBrief[];
  }>();
  const [reload, setReload] = useState(0);
  useEffect(() => {
    let live = true;
    Promise.all([api.list(), api.requests('in'), api.requests('out'), api.blocks()]).then(
      ([friends, incoming, outgoing, blocked]) => {
        if (!live) return;
        setData({
          friends,
          incoming: incoming.filter((r) => r.status === 'pending'),
          outgoing: outgoing.filter((r) => r.status === 'pending'),
          blocked,
        });
        rememberUsers(
          [
            ...friends.map((f) => f.user),
            ...incoming.map((r) => r.from),
            ...outgoing.map((r) => r.to),
            ...blocked,
          ].filter((u) => u.username),
        );
        setRemarks(Object.fromEntries(friends.filter((f) => f.remark).map((f) => [f.user.id, f.remark])));
        for (const f of friends) if (f.online !== undefined) setPresence(f.user.id, f.online);
      },
      () => {},
    );
    return () => {
      live = false;
    };
  }, [version, reload]);
  return { data, refresh: () => setReload((n) => n + 1) };
}

function FindPeople({ onDone }: { onDone: () => void }) {
  const [q, setQ] = useState('');
  const [found, setFound] = useState<PublicUser[] | undefined>();
  const [message, setMessage] = useState('');
  const [search, searching] = useAction(async () => setFound(await usersApi.find(q.trim())));
  const [ask, asking] = useAction(async (u: PublicUser) => {
    await api.request(u.id, message.trim() || undefined);
    toast(`Friend request sent to ${u.nickname}`);
    onDone();
  });
  return (
    <div class="stack">
      <form
        class="search-row"
        onSubmit={(e) => {
          e.preventDefault();
          if (q.trim()) void search();
        }}
      >
        <input
          placeholder="Exact username or mobile"
          aria-label="Username or mobile"
          value={q}
          onInput={(e) => setQ(e.currentTarget.value)}
          // biome-ignore lint/a11y/noAutofocus: the first field of a dialog or sign-in form takes focus when it opens (the dialog pattern).
          autoFocus
        />
        <button type="submit" class="btn primary" disabled={searching || !q.trim()}>
          <IconSearch size={16} /> Search
        </button>
      </form>
      {found && found.length === 0 && <p class="muted">Nobody with that username or mobile.</p>}
      {found?.map((u) => (
        <div class="person" key={u.id}>
          <Avatar id={u.id} name={u.nickname} media={u.avatar} size={44} />
          <div class="person-body">
            <strong>{u.nickname}</strong>
            <span class="muted">@{u.username}</span>
          </div>
          <div class="stack tight">
            <input
              placeholder="Say hello (optional)"
              aria-label="Request message"
              value={message}
              onInput={(e) => setMessage(e.currentTarget.value)}
              maxLength={200}
            />
            <button type="button" class="btn primary" disabled={asking} onClick={() => ask(u)}>
              Add friend
            </button>
          </div>
        </div>
      ))}
    </div>
  );
}

function FriendRow({ c, me, onChange }: { c: Contact; me: string; onChange: () => void }) {
  const online = useStore(app, (s) => s.presence[c.user.id] ?? c.online ?? false);
  const seen = useStore(lastSeenStore, (s) => s[c.user.id] ?? c.lastSeenAt);
  const [editing, setEditing] = useState(false);
  const [remark, setRemark] = useState(c.remark);
  const [save] = useAction(async () => {
    await api.remark(c.user.id, remark.trim());
    setEditing(false);
    onChange();
  });
  const [block] = useAction(async () => {
    if (!confirm(`Block ${c.user.nickname}? They will not be able to message you.`)) return;
    await api.block(c.user.id);
    toast(`${c.user.nickname} is blocked`);
    onChange();
  });
  const [remove] = useAction(async () => {
    if (!confirm(`Remove ${c.user.nickname} from your contacts?`)) return;
    await api.remove(c.user.id);
    onChange();
  });
  return (
    <li class="person" data-user={c.user.username}>
      <button
        type="button"
        class="avatar-btn"
        aria-label={`Profile of ${c.remark || c.user.nickname}`}
        onClick={() => navigate({ name: 'person', id: c.user.id })}
      >
        <Avatar id={c.user.id} name={c.remark || c.user.nickname} media={c.user.avatar} size={44} online={online} />
      </button>
      <div class="person-body">
        {editing ? (
          <form
            class="inline-form"
            onSubmit={(e) => {
              e.preventDefault();
              void save();
            }}
          >
            <input
              value={remark}
              onInput={(e) => setRemark(e.currentTarget.value)}
              placeholder={c.user.nickname}
              aria-label="Remark"
              maxLength={64}
              // biome-ignore lint/a11y/noAutofocus: the remark field appears because the user just asked to edit it.
              autoFocus
            />
            <button type="submit" class="icon-btn" aria-label="Save remark">
              <IconCheck size={16} />
            </button>
          </form>
        ) : (
          // Tapping a contact opens the chat with them.
          <button type="button" class="person-open" onClick={() => navigate({ name: 'chats', cid: dm(me, c.user.id) })}>
            <strong>{c.remark || c.user.nickname}</strong>
            <span class="muted">
              {c.remark ? `${c.user.nickname} · ` : ''}@{c.user.username}
              {!online && seen ? ` · ${lastSeenText(seen)}` : ''}
            </span>
          </button>
        )}
      </div>
      <div class="person-actions">
        <button
          type="button"
          class="icon-btn"
          aria-label={`Chat with ${c.user.nickname}`}
          onClick={() => navigate({ name: 'chats', cid: dm(me, c.user.id) })}
        >
          <IconChat size={18} />
        </button>
        <details class="more">
          <summary class="icon-btn" aria-label={`More for ${c.user.nickname}`}>
            ⋯
          </summary>
          {/* biome-ignore lint/a11y/noStaticElementInteractions: closes the menu after any of its buttons ran (keyboard activation clicks too). */}
          {/* biome-ignore lint/a11y/useKeyWithClickEvents: only buttons inside take input; this catches their clicks as they bubble. */}
          <div
            class="menu"
            onClick={(e) => {
              (e.currentTarget.parentElement as HTMLDetailsElement).open = false;
            }}
          >
            <button type="button" onClick={() => setEditing(true)}>
              Set remark
            </button>
            <button type="button" onClick={() => block()}>
              Block
            </button>
            <button type="button" class="danger" onClick={() => remove()}>
              Remove contact
            </button>
          </div>
        </details>
      </div>
    </li>
  );
}

/** Friends, friend requests both ways, people search and the block list. */
export function ContactsScreen() {
  const me = useStore(app, (s) => s.me!.id);
  const { data, refresh } = useSocialData();
  const [finding, setFinding] = useState(false);
  const [act] = useAction(async (f: () => Promise<unknown>, msg?: string) => {
    await f();
    if (msg) toast(msg);
    refresh();
  });
  return (
    <div class="pane">
      <header class="pane-head">
        <h1>Contacts</h1>
        <button type="button" class="btn primary small" onClick={() => setFinding(true)}>
          Add friend
        </button>
      </header>
      <div class="pane-scroll">
        {data && data.incoming.length > 0 && (
          <section class="group-sec" aria-label="Friend requests">
            <h3>
              Requests <span class="count">{data.incoming.length}</span>
            </h3>
            <ul class="people">
              {data.incoming.map((r) => (
                <li class="person request" key={r.id} data-request-from={r.from.username}>
                  <Avatar id={r.from.id} name={r.from.nickname} media={r.from.avatar} size={44} />
                  <div class="person-body">
                    <strong>{r.from.nickname}</strong>
                    <span class="muted">{r.message || `@${r.from.username} wants to be friends`}</span>
                  </div>
                  <div class="person-actions">
                    <button
                      type="button"
                      class="btn primary small"
                      onClick={() => act(() => api.accept(r.id), `You and ${r.from.nickname} are now friends`)}
                    >
                      Accept
                    </button>
                    <button
                      type="button"
                      class="icon-btn"
                      aria-label="Decline"
                      onClick={() => act(() => api.decline(r.id))}
                    >
                      <IconX size={16} />
                    </button>
                  </div>
                </li>
              ))}
            </ul>
          </section>
        )}
        <section class="group-sec" aria-label="Friends">
          <h3>Friends {data && <span class="count">{data.friends.length}</span>}</h3>
          {data && data.friends.length === 0 && (
            <Empty icon={<IconUsers size={32} />} title="No friends yet">
              Search by username or mobile to add someone.
            </Empty>
          )}
          <ul class="people">
            {data?.friends.map((c) => (
              <FriendRow key={c.user.id} c={c} me={me} onChange={refresh} />
            ))}
          </ul>
        </section>
        {data && data.outgoing.length > 0 && (
          <section class="group-sec" aria-label="Sent requests">
            <h3>Sent</h3>
            <ul class="people">
              {data.outgoing.map((r) => (
                <li class="person" key={r.id}>
                  <Avatar id={r.to.id} name={r.to.nickname} media={r.to.avatar} size={36} />
                  <div class="person-body">
                    <strong>{r.to.nickname || r.to.username}</strong>
                    <span class="muted">Waiting for an answer</span>
                  </div>
                  <button type="button" class="btn ghost small" onClick={() => act(() => api.cancel(r.id))}>
                    Cancel
                  </button>
                </li>
              ))}
            </ul>
          </section>
        )}
        {data && data.blocked.length > 0 && (
          <section class="group-sec" aria-label="Blocked">
            <h3>
              Blocked <span class="count">{data.blocked.length}</span>
            </h3>
            <ul class="people">
              {data.blocked.map((u) => (
                <li class="person" key={u.id} data-blocked={u.username}>
                  <Avatar id={u.id} name={u.nickname} media={u.avatar} size={36} />
                  <div class="person-body">
                    <strong>{u.nickname || u.username}</strong>
                  </div>
                  <button
                    type="button"
                    class="btn ghost small"
                    onClick={() => act(() => api.unblock(u.id), 'Unblocked')}
                  >
                    Unblock
                  </button>
                </li>
              ))}
            </ul>
          </section>
        )}
      </div>
      {finding && (
        <Modal title="Add a friend" onClose={() => setFinding(false)}>
          <FindPeople
            onDone={() => {
              setFinding(false);
              refresh();
            }}
          />
        </Modal>
      )}
    </div>
  );
}
