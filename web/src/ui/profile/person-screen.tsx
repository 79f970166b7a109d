import { useEffect, useState } from 'preact/hooks';
import { contacts as contactsApi, profiles, users as usersApi } from '../../api/endpoints.js';
import { ApiError } from '../../api/http.js';
import type { ContactRequest, Group, PublicUser } from '../../api/types.js';
import { plural } from '../../format.js';
import { navigate } from '../../router.js';
import { app, bumpSocial, rememberGroups, rememberUsers } from '../../state/app.js';
import { useStore } from '../../state/store.js';
import { Avatar } from '../common/avatar.js';
import { Empty, toast, useAction } from '../common/widgets.js';
import { IconBack, IconChat, IconGroup, IconUser } from '../icons.js';

const dmId = (a: string, b: string) => (a < b ? `dm:${a}:${b}` : `dm:${b}:${a}`);

/** Where I stand with someone, which decides what their profile offers. */
type Relation =
  | { kind: 'friend' }
  | { kind: 'blocked' }
  | { kind: 'asked-me'; request: ContactRequest }
  | { kind: 'i-asked'; request: ContactRequest }
  | { kind: 'none' };

async function relationTo(userId: string): Promise<Relation> {
  const [friends, blocked, incoming, outgoing] = await Promise.all([
    contactsApi.list(),
    contactsApi.blocks(),
    contactsApi.requests('in'),
    contactsApi.requests('out'),
  ]);
  // A block comes first: a blocked friend stays a friend on paper but gets no offers.
  if (blocked.some((u) => u.id === userId)) return { kind: 'blocked' };
  if (friends.some((f) => f.user.id === userId)) return { kind: 'friend' };
  const asked = incoming.find((r) => r.from.id === userId && r.status === 'pending');
  if (asked) return { kind: 'asked-me', request: asked };
  const mine = outgoing.find((r) => r.to.id === userId && r.status === 'pending');
  if (mine) return { kind: 'i-asked', request: mine };
  return { kind: 'none' };
}

const relationText: Record<Relation['kind'], string> = {
  friend: 'In your contacts',
  blocked: 'You blocked this person',
  'asked-me': 'Wants to be your friend',
  'i-asked': 'Friend request sent',
  none: 'Not in your contacts',
};

/** Groups both of us are in, following the server's pages as the user asks for more. */
function useMutualGroups(userId: string, version: number) {
  const [state, setState] = useState<{ items: Group[]; next?: string; loading: boolean; failed?: boolean }>({
    items: [],
    loading: true,
  });
  useEffect(() => {
    let live = true;
    setState({ items: [], loading: true });
    profiles.mutualGroups(userId).then(
      (p) => {
        if (!live) return;
        rememberGroups(p.items);
        setState({ items: p.items, next: p.next, loading: false });
      },
      () => live && setState({ items: [], loading: false, failed: true }),
    );
    return () => {
      live = false;
    };
  }, [userId, version]);
  const more = async () => {
    if (!state.next || state.loading) return;
    setState((s) => ({ ...s, loading: true }));
    try {
      const p = await profiles.mutualGroups(userId, state.next);
      rememberGroups(p.items);
      setState((s) => ({ items: [...s.items, ...p.items], next: p.next, loading: false }));
    } catch {
      setState((s) => ({ ...s, loading: false }));
    }
  };
  return { ...state, more };
}

/**
 * Someone else's profile: picture, name, bio, the groups we share, and what I can do with them
 * (message, add or accept, block or unblock) as our relationship allows.
 */
export function PersonScreen({ id }: { id: string }) {
  const me = useStore(app, (s) => s.me!.id);
  const version = useStore(app, (s) => s.socialVersion);
  // The cached user follows live `user.updated` events; the fetch below adds the bio.
  const user = useStore(app, (s) => s.users[id]) as (Partial<PublicUser> & { id: string }) | undefined;
  const [missing, setMissing] = useState(false);
  const [relation, setRelation] = useState<Relation | undefined>();
  const [reload, setReload] = useState(0);
  const groups = useMutualGroups(id, version);

  useEffect(() => {
    let live = true;
    usersApi.get(id).then(
      (u) => live && rememberUsers([u]),
      (e) => live && e instanceof ApiError && e.status === 404 && setMissing(true),
    );
    return () => {
      live = false;
    };
  }, [id]);
  useEffect(() => {
    let live = true;
    relationTo(id).then(
      (r) => live && setRelation(r),
      () => {},
    );
    return () => {
      live = false;
    };
  }, [id, version, reload]);

  const [act, acting] = useAction(async (f: () => Promise<unknown>, msg?: string) => {
    await f();
    if (msg) toast(msg);
    setReload((n) => n + 1);
    bumpSocial();
  });

  if (id === me) {
    navigate({ name: 'profile' }, true);
    return null;
  }
  const name = user?.nickname || user?.username || '…';
  const back = (
    <button
      type="button"
      class="icon-btn back person-back"
      aria-label="Back"
      onClick={() => (history.length > 1 ? history.back() : navigate({ name: 'contacts' }))}
    >
      <IconBack />
    </button>
  );
  if (missing)
    return (
      <div class="pane detail person-screen">
        <header class="pane-head">
          {back}
          <h2>Profile</h2>
        </header>
        <Empty icon={<IconUser size={36} />} title="No such person">
          This account does not exist any more.
        </Empty>
      </div>
    );

  const r = relation?.kind;
  return (
    <div class="pane detail person-screen" data-user={user?.username}>
      <header class="pane-head">
        {back}
        <h2>Profile</h2>
      </header>
      <div class="pane-scroll padded">
        <section class="person-card card" aria-label={`Profile of ${name}`}>
          <Avatar id={id} name={name} media={user?.avatar} size={96} />
          <h1 class="person-name">{name}</h1>
          {user?.username && <span class="muted">@{user.username}</span>}
          {user?.bio ? <p class="person-bio">{user.bio}</p> : <p class="person-bio muted">No bio yet.</p>}
          <span class="person-relation" data-relation={r}>
            {r ? relationText[r] : ' '}
          </span>
          <div class="person-buttons">
            {r === 'friend' && (
              <button type="button" class="btn primary" onClick={() => navigate({ name: 'chats', cid: dmId(me, id) })}>
                <IconChat size={16} /> Message
              </button>
            )}
            {r === 'none' && (
              <button
                type="button"
                class="btn primary"
                disabled={acting}
                onClick={() => act(() => contactsApi.request(id), `Friend request sent to ${name}`)}
              >
                Add friend
              </button>
            )}
            {relation?.kind === 'asked-me' && (
              <button
                type="button"
                class="btn primary"
                disabled={acting}
                onClick={() =>
                  act(
                    () => contactsApi.accept((relation as { request: ContactRequest }).request.id),
                    `You and ${name} are now friends`,
                  )
                }
              >
                Accept request
              </button>
            )}
            {relation?.kind === 'i-asked' && (
              <button
                type="button"
                class="btn ghost"
                disabled={acting}
                onClick={() => act(() => contactsApi.cancel((relation as { request: ContactRequest }).request.id))}
              >
                Cancel request
              </button>
            )}
            {r === 'blocked' ? (
              <button
                type="button"
                class="btn ghost"
                disabled={acting}
                onClick={() => act(() => contactsApi.unblock(id), `${name} is unblocked`)}
              >
                Unblock
              </button>
            ) : (
              r && (
                <button
                  type="button"
                  class="btn danger"
                  disabled={acting}
                  onClick={() => {
                    if (!confirm(`Block ${name}? They will not be able to message you.`)) return;
                    void act(() => contactsApi.block(id), `${name} is blocked`);
                  }}
                >
                  Block
                </button>
              )
            )}
          </div>
        </section>
        <section class="card" aria-label="Groups in common">
          <h3>
            Groups in common {!groups.loading && !groups.next && <span class="count">{groups.items.length}</span>}
          </h3>
          {groups.items.length === 0 && !groups.loading && (
            <p class="muted">{groups.failed ? 'Could not load the groups.' : `You and ${name} share no groups.`}</p>
          )}
          <ul class="people">
            {groups.items.map((g) => (
              <li class="person clickable" key={g.id} data-group={g.id}>
                <a
                  class="person-link"
                  href={`/chat/${encodeURIComponent(g.conversation ?? `g:${g.id}`)}`}
                  onClick={(e) => {
                    e.preventDefault();
                    navigate({ name: 'chats', cid: g.conversation ?? `g:${g.id}` });
                  }}
                >
                  <Avatar id={g.id} name={g.name} media={g.avatar} size={40} square />
                  <span class="person-body">
                    <strong>{g.name}</strong>
                    <span class="muted">{plural(g.memberCount, 'member')}</span>
                  </span>
                </a>
              </li>
            ))}
          </ul>
          {groups.loading && <span class="spinner small" role="status" aria-label="Loading groups" />}
          {groups.next && !groups.loading && (
            <button type="button" class="btn ghost small" onClick={() => void groups.more()}>
              <IconGroup size={16} /> Show more groups
            </button>
          )}
        </section>
      </div>
    </div>
  );
}

/** Opens someone's profile (mine goes to my own screen). */
export function openPerson(userId: string) {
  navigate(userId === app.get().me?.id ? { name: 'profile' } : { name: 'person', id: userId });
}
