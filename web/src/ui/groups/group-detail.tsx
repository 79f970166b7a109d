import { useEffect, useState } from 'preact/hooks';
import { contacts as contactsApi, groups as api } from '../../api/endpoints.js';
import type { Contact, Group, GroupRequest, JoinPolicy, Member } from '../../api/types.js';
import { plural } from '../../format.js';
import { navigate } from '../../router.js';
import { app, bumpSocial, rememberGroups, rememberUsers } from '../../state/app.js';
import { useStore } from '../../state/store.js';
import { Avatar } from '../common/avatar.js';
import { Field, Modal, toast, useAction } from '../common/widgets.js';
import { IconBack, IconChat, IconPlus } from '../icons.js';
import { refreshBadges } from '../../state/badges.js';
import { GroupAvatarEdit } from './group-avatar-edit.js';
import { MuteItems } from './member-mute.js';
import { isMuted, untilPhrase } from './mute.js';
import { InviteLinks } from './invite-links.js';

const ROLE_LABEL = { owner: 'Owner', admin: 'Admin', member: 'Member' } as const;

function Invite({ group, members, onDone }: { group: Group; members: Member[]; onDone: () => void }) {
  const [friends, setFriends] = useState<Contact[]>();
  const [picked, setPicked] = useState<Set<string>>(new Set());
  useEffect(() => {
    contactsApi.list().then(setFriends, () => setFriends([]));
  }, []);
  const inGroup = new Set(members.map((m) => m.user.id));
  const candidates = friends?.filter((f) => !inGroup.has(f.user.id)) ?? [];
  const [invite, busy] = useAction(async () => {
    await api.invite(group.id, [...picked]);
    toast('Added to the group');
    onDone();
  });
  return (
    <div class="stack">
      {friends && candidates.length === 0 && <p class="muted">All your friends are already here.</p>}
      <ul class="people">
        {candidates.map((f) => (
          <li class="person" key={f.user.id}>
            <label class="check-row">
              <input
                type="checkbox"
                checked={picked.has(f.user.id)}
                aria-label={`Invite ${f.user.nickname}`}
                onChange={(e) => {
                  const s = new Set(picked);
                  if (e.currentTarget.checked) s.add(f.user.id);
                  else s.delete(f.user.id);
                  setPicked(s);
                }}
              />
              <Avatar id={f.user.id} name={f.user.nickname} media={f.user.avatar} size={36} />
              <span>{f.remark || f.user.nickname}</span>
            </label>
          </li>
        ))}
      </ul>
      <button type="button" class="btn primary" disabled={busy || picked.size === 0} onClick={() => invite()}>
        Add {picked.size || ''} to group
      </button>
    </div>
  );
}

/** A group: settings, members with roles, invite, kick, join requests, leave. */
export function GroupDetail({ id }: { id: string }) {
  const me = useStore(app, (s) => s.me!.id);
  const version = useStore(app, (s) => s.socialVersion);
  const [group, setGroup] = useState<Group>();
  const [members, setMembers] = useState<Member[]>([]);
  const [requests, setRequests] = useState<GroupRequest[]>([]);
  const [inviting, setInviting] = useState(false);
  const [reload, setReload] = useState(0);
  const [form, setForm] = useState<{ name: string; notice: string; joinPolicy: JoinPolicy }>({
    name: '',
    notice: '',
    joinPolicy: 'open',
  });
  const refresh = () => setReload((n) => n + 1);
  const myRole = members.find((m) => m.user.id === me)?.role;
  const admin = myRole === 'owner' || myRole === 'admin';

  useEffect(() => {
    let live = true;
    (async () => {
      const g = await api.get(id);
      // Only members may list members: a card (no role) means I am not in this group.
      const m = g.role ? await api.members(id) : [];
      if (!live) return;
      setGroup(g);
      setMembers(m);
      rememberGroups([g]);
      rememberUsers(m.map((x) => x.user));
      // A card (not a member) has no notice.
      setForm({ name: g.name, notice: g.notice ?? '', joinPolicy: g.joinPolicy });
      if (g.role === 'owner' || g.role === 'admin')
        api.requests(id).then(
          (r) => live && setRequests(r.filter((x) => x.status === 'pending')),
          () => {},
        );
    })().catch(() => live && setGroup(undefined));
    return () => {
      live = false;
    };
  }, [id, version, reload]);

  const [save, saving] = useAction(async () => {
    const g = await api.update(id, form);
    setGroup(g);
    rememberGroups([g]);
    toast('Group settings saved');
  });
  const [act] = useAction(async (f: () => Promise<unknown>, msg?: string) => {
    await f();
    if (msg) toast(msg);
    refresh();
    // Answering a join request tells only the requester: my own badge asks the server again.
    refreshBadges();
  });
  const [leave] = useAction(async () => {
    if (!confirm(myRole === 'owner' ? 'Dissolve this group for everyone?' : 'Leave this group?')) return;
    if (myRole === 'owner') await api.dissolve(id);
    else await api.leave(id);
    bumpSocial();
    navigate('/groups');
  });

  if (!group)
    return (
      <div class="pane center">
        <span class="spinner" role="status" aria-label="Loading" />
      </div>
    );
  return (
    <div class="pane detail" data-group-id={id}>
      <header class="pane-head">
        <button type="button" class="icon-btn back" onClick={() => navigate('/groups')} aria-label="Back to groups">
          <IconBack />
        </button>
        <GroupAvatarEdit group={group} admin={admin} onChange={setGroup} />
        <div class="chat-title">
          <h2>{group.name}</h2>
          <span class="chat-sub">
            {plural(group.memberCount || members.length, 'member')} · id {group.id}
          </span>
        </div>
        <button type="button" class="btn primary small" onClick={() => navigate({ name: 'chats', cid: `g:${id}` })}>
          <IconChat size={16} /> Open chat
        </button>
      </header>
      <div class="pane-scroll padded">
        {group.notice && !admin && <div class="notice-card">{group.notice}</div>}
        {admin && (
          <form
            class="card stack"
            onSubmit={(e) => {
              e.preventDefault();
              void save();
            }}
            aria-label="Group settings"
          >
            <h3>Settings</h3>
            <Field label="Name">
              <input
                value={form.name}
                onInput={(e) => setForm({ ...form, name: e.currentTarget.value })}
                maxLength={64}
                aria-label="Group name"
              />
            </Field>
            <Field label="Notice">
              <textarea
                rows={2}
                value={form.notice}
                onInput={(e) => setForm({ ...form, notice: e.currentTarget.value })}
                maxLength={1000}
                aria-label="Group notice"
              />
            </Field>
            <Field label="Who can join">
              <select
                value={form.joinPolicy}
                // The options are the join policies.
                onChange={(e) => setForm({ ...form, joinPolicy: e.currentTarget.value as JoinPolicy })}
                aria-label="Join policy"
              >
                <option value="open">Anyone can join</option>
                <option value="approval">Join by request</option>
                <option value="invite">Invite only</option>
              </select>
            </Field>
            <div class="row end">
              <button type="submit" class="btn primary" disabled={saving}>
                Save
              </button>
            </div>
          </form>
        )}
        {admin && <InviteLinks groupId={id} />}
        {admin && requests.length > 0 && (
          <section class="card" aria-label="Join requests">
            <h3>
              Join requests <span class="count">{requests.length}</span>
            </h3>
            <ul class="people">
              {requests.map((r) => (
                <li class="person" key={r.id} data-request-user={r.user.username}>
                  <Avatar id={r.user.id} name={r.user.nickname} media={r.user.avatar} size={36} />
                  <div class="person-body">
                    <strong>{r.user.nickname}</strong>
                    <span class="muted">{r.message || 'wants to join'}</span>
                  </div>
                  <button
                    type="button"
                    class="btn primary small"
                    onClick={() => act(() => api.acceptRequest(id, r.id), `${r.user.nickname} joined`)}
                  >
                    Approve
                  </button>
                  <button type="button" class="btn ghost small" onClick={() => act(() => api.declineRequest(id, r.id))}>
                    Decline
                  </button>
                </li>
              ))}
            </ul>
          </section>
        )}
        <section class="card" aria-label="Members">
          <div class="row between">
            <h3>
              Members <span class="count">{group.memberCount || members.length}</span>
            </h3>
            {(admin || group.joinPolicy !== 'invite') && (
              <button type="button" class="btn ghost small" onClick={() => setInviting(true)}>
                <IconPlus size={16} /> Add people
              </button>
            )}
          </div>
          <ul class="people">
            {members.map((m) => (
              <li class="person" key={m.user.id} data-member={m.user.username}>
                <Avatar id={m.user.id} name={m.user.nickname} media={m.user.avatar} size={36} />
                <div class="person-body">
                  <strong>
                    {m.user.nickname}
                    {m.user.id === me ? ' (you)' : ''}
                  </strong>
                  <span class="muted">@{m.user.username}</span>
                  {isMuted(m.mutedUntil) && (
                    <span class="muted-note" data-testid="member-muted">
                      Muted {untilPhrase(m.mutedUntil!)}
                    </span>
                  )}
                </div>
                <span class={`role role-${m.role}`}>{ROLE_LABEL[m.role]}</span>
                {m.user.id !== me && admin && m.role !== 'owner' && (myRole === 'owner' || m.role === 'member') && (
                  <details class="more">
                    <summary class="icon-btn" aria-label={`Manage ${m.user.nickname}`}>
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
                      {myRole === 'owner' && (
                        <button
                          type="button"
                          onClick={() =>
                            act(() => api.setMember(id, m.user.id, { role: m.role === 'admin' ? 'member' : 'admin' }))
                          }
                        >
                          {m.role === 'admin' ? 'Remove admin' : 'Make admin'}
                        </button>
                      )}
                      {myRole === 'owner' && (
                        <button
                          type="button"
                          onClick={() => act(() => api.transfer(id, m.user.id), 'Ownership transferred')}
                        >
                          Transfer ownership
                        </button>
                      )}
                      <MuteItems
                        m={m}
                        set={(until, done) => act(() => api.setMember(id, m.user.id, { mutedUntil: until }), done)}
                      />
                      <button
                        type="button"
                        class="danger"
                        onClick={() => act(() => api.kick(id, m.user.id), `${m.user.nickname} was removed`)}
                      >
                        Remove from group
                      </button>
                    </div>
                  </details>
                )}
              </li>
            ))}
          </ul>
        </section>
        <div class="row end">
          <button type="button" class="btn danger" onClick={() => leave()}>
            {myRole === 'owner' ? 'Dissolve group' : 'Leave group'}
          </button>
        </div>
      </div>
      {inviting && (
        <Modal title={`Add people to ${group.name}`} onClose={() => setInviting(false)}>
          <Invite
            group={group}
            members={members}
            onDone={() => {
              setInviting(false);
              refresh();
            }}
          />
        </Modal>
      )}
    </div>
  );
}
