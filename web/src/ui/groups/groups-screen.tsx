import { useEffect, useState } from 'preact/hooks';
import { groups as api } from '../../api/endpoints.js';
import type { Group, JoinPolicy } from '../../api/types.js';
import { plural } from '../../format.js';
import { navigate } from '../../router.js';
import { app, setMyGroups } from '../../state/app.js';
import { useStore } from '../../state/store.js';
import { Avatar } from '../common/avatar.js';
import { Empty, Field, Modal, toast, useAction } from '../common/widgets.js';
import { IconGroup, IconSearch } from '../icons.js';
import { GroupDetail } from './group-detail.js';
import { FriendPicker } from './friend-picker.js';
import { JoinRequestForm } from './join-request.js';

const POLICY: Record<string, string> = { open: 'Anyone can join', approval: 'Join by request', invite: 'Invite only' };

function CreateGroup({ onDone }: { onDone: (g: Group) => void }) {
  const [name, setName] = useState('');
  const [policy, setPolicy] = useState<JoinPolicy>('approval');
  const [picked, setPicked] = useState<Set<string>>(new Set());
  const [create, busy] = useAction(async () =>
    onDone(await api.create({ name: name.trim(), joinPolicy: policy, memberIds: [...picked] })),
  );
  return (
    <form
      class="stack"
      onSubmit={(e) => {
        e.preventDefault();
        if (name.trim()) void create();
      }}
    >
      <Field label="Group name">
        <input
          value={name}
          onInput={(e) => setName(e.currentTarget.value)}
          maxLength={64}
          required
          // biome-ignore lint/a11y/noAutofocus: the first field of a dialog or sign-in form takes focus when it opens (the dialog pattern).
          autoFocus
          aria-label="Group name"
        />
      </Field>
      <Field label="Who can join">
        <select
          value={policy}
          onChange={(e) => setPolicy(e.currentTarget.value as JoinPolicy)}
          aria-label="Who can join"
        >
          {Object.entries(POLICY).map(([k, v]) => (
            <option value={k} key={k}>
              {v}
            </option>
          ))}
        </select>
      </Field>
      <FriendPicker picked={picked} onChange={setPicked} />
      <button type="submit" class="btn primary" disabled={busy || !name.trim()}>
        Create group
      </button>
    </form>
  );
}

function FindGroup({ onJoined }: { onJoined: () => void }) {
  const [q, setQ] = useState('');
  const [found, setFound] = useState<Group[] | undefined>();
  const [asking, setAsking] = useState<string>();
  const [search, searching] = useAction(async () => setFound(await api.search(q.trim())));
  const [join, joining] = useAction(async (g: Group, message?: string) => {
    const r = await api.join(g.id, message || undefined);
    const joined = r.status === 'joined';
    toast(joined ? `You joined ${g.name}` : `Request sent to ${g.name}'s admins`);
    onJoined();
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
          placeholder="Group name or id"
          aria-label="Group name or id"
          value={q}
          onInput={(e) => setQ(e.currentTarget.value)}
          // biome-ignore lint/a11y/noAutofocus: the first field of a dialog or sign-in form takes focus when it opens (the dialog pattern).
          autoFocus
        />
        <button type="submit" class="btn primary" disabled={searching || !q.trim()}>
          <IconSearch size={16} /> Search
        </button>
      </form>
      {found && found.length === 0 && <p class="muted">No group with that name or id.</p>}
      {found?.map((g) => (
        <div class="person" key={g.id}>
          <Avatar id={g.id} name={g.name} media={g.avatar} size={44} square />
          <div class="person-body">
            <strong>{g.name}</strong>
            <span class="muted">
              {plural(g.memberCount, 'member')} · {POLICY[g.joinPolicy]}
            </span>
          </div>
          {g.joinPolicy !== 'invite' && asking !== g.id && (
            <button
              type="button"
              class="btn primary small"
              onClick={() => (g.joinPolicy === 'open' ? join(g) : setAsking(g.id))}
            >
              {g.joinPolicy === 'open' ? 'Join' : 'Ask to join'}
            </button>
          )}
        </div>
      ))}
      {found
        ?.filter((g) => g.id === asking)
        .map((g) => (
          <JoinRequestForm
            key={g.id}
            group={g}
            busy={joining}
            onCancel={() => setAsking(undefined)}
            onSend={(message) => void join(g, message)}
          />
        ))}
    </div>
  );
}

/** My groups, with create and search/join. */
export function GroupsScreen({ selected }: { selected?: string }) {
  const version = useStore(app, (s) => s.socialVersion);
  const [list, setList] = useState<Group[]>();
  const [modal, setModal] = useState<'create' | 'find'>();
  const [reload, setReload] = useState(0);
  useEffect(() => {
    api.mine().then(
      (l) => {
        setList(l);
        setMyGroups(l);
      },
      () => {},
    );
  }, [version, reload]);
  return (
    <div class="pane">
      <header class="pane-head">
        <h1>Groups</h1>
        <div class="row">
          <button type="button" class="btn ghost small" onClick={() => setModal('find')}>
            Find
          </button>
          <button type="button" class="btn primary small" onClick={() => setModal('create')}>
            New group
          </button>
        </div>
      </header>
      <div class="pane-scroll">
        {list && list.length === 0 && (
          <Empty icon={<IconGroup size={32} />} title="No groups yet">
            Create one, or find a group by its name.
          </Empty>
        )}
        <ul class="people">
          {list?.map((g) => (
            <li key={g.id} class={`person clickable${g.id === selected ? ' active' : ''}`} data-group={g.name}>
              <a
                href={`/groups/${g.id}`}
                class="person-link"
                onClick={(e) => {
                  e.preventDefault();
                  navigate({ name: 'groups', id: g.id });
                }}
              >
                <Avatar id={g.id} name={g.name} media={g.avatar} size={44} square />
                <div class="person-body">
                  <strong>{g.name}</strong>
                  <span class="muted">
                    {plural(g.memberCount, 'member')}
                    {g.role && g.role !== 'member' ? ` · ${g.role}` : ''}
                  </span>
                </div>
              </a>
            </li>
          ))}
        </ul>
      </div>
      {modal === 'create' && (
        <Modal title="New group" onClose={() => setModal(undefined)}>
          <CreateGroup
            onDone={(g) => {
              setModal(undefined);
              setReload((n) => n + 1);
              navigate({ name: 'groups', id: g.id });
            }}
          />
        </Modal>
      )}
      {modal === 'find' && (
        <Modal title="Find a group" onClose={() => setModal(undefined)}>
          <FindGroup
            onJoined={() => {
              setModal(undefined);
              setReload((n) => n + 1);
            }}
          />
        </Modal>
      )}
    </div>
  );
}

GroupsScreen.Detail = GroupDetail;
