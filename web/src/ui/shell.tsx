import type { JSX } from 'preact';
import { type Route, navigate } from '../router.js';
import { app } from '../state/app.js';
import { useBadges, withCount } from '../state/badges.js';
import { useStore } from '../state/store.js';
import { ChatList } from './chat/chat-list.js';
import { ChatView } from './chat/chat-view.js';
import { ConnectionBanner } from './chat/connection-banner.js';
import { Avatar } from './common/avatar.js';
import { Empty } from './common/widgets.js';
import { ContactsScreen } from './contacts/contacts-screen.js';
import { GroupsScreen } from './groups/groups-screen.js';
import { IconChat, IconGroup, IconUser, IconUsers } from './icons.js';
import { PersonScreen } from './profile/person-screen.js';
import { ProfileScreen } from './profile/profile-screen.js';

function Tab({
  active,
  label,
  icon,
  to,
  badge,
  name,
}: {
  active: boolean;
  label: string;
  icon: JSX.Element;
  to: string;
  badge?: number;
  /** The accessible name when it says more than the label ("Contacts, 2 requests"). */
  name?: string;
}) {
  return (
    <a
      class={`tab${active ? ' active' : ''}`}
      href={to}
      aria-label={name ?? label}
      title={name ?? label}
      aria-current={active ? 'page' : undefined}
      onClick={(e) => {
        e.preventDefault();
        navigate(to);
      }}
    >
      {icon}
      <span class="tab-label">{label}</span>
      {badge ? (
        <span class="badge tab-badge" aria-hidden="true">
          {badge > 99 ? '99+' : badge}
        </span>
      ) : null}
    </a>
  );
}

/**
 * The signed-in layout: a navigation rail (a bottom tab bar on phones), a list pane and a
 * detail pane. On a phone only one pane shows: the list, or the open chat with a back button.
 */
export function Shell({ route, onSignedOut }: { route: Route; onSignedOut: () => void }) {
  const me = useStore(app, (s) => s.me)!;
  const unread = useStore(app, (s) => Object.values(s.conversations).reduce((n, c) => n + (c.muted ? 0 : c.unread), 0));
  const badges = useBadges();
  const section = route.name === 'chats' ? 'chats' : route.name === 'person' ? 'contacts' : route.name;
  const detailOpen =
    (route.name === 'chats' && !!route.cid) || (route.name === 'groups' && !!route.id) || route.name === 'person';

  let list: JSX.Element;
  let detail: JSX.Element;
  switch (route.name) {
    case 'contacts':
      list = <ContactsScreen />;
      detail = (
        <Empty icon={<IconUsers size={40} />} title="Your people">
          Find friends by username or mobile, and answer requests.
        </Empty>
      );
      break;
    case 'groups':
      list = <GroupsScreen selected={route.id} />;
      detail = route.id ? (
        <GroupsScreen.Detail id={route.id} key={route.id} />
      ) : (
        <Empty icon={<IconGroup size={40} />} title="Groups">
          Create a group or find one to join.
        </Empty>
      );
      break;
    case 'person':
      list = <ContactsScreen />;
      detail = <PersonScreen id={route.id} key={route.id} />;
      break;
    case 'profile':
      list = <ProfileScreen onSignedOut={onSignedOut} />;
      detail = <ProfileScreen.Sessions />;
      break;
    default:
      list = <ChatList active={route.name === 'chats' ? route.cid : undefined} />;
      detail =
        route.name === 'chats' && route.cid ? (
          <ChatView cid={route.cid} key={route.cid} />
        ) : (
          <Empty icon={<IconChat size={40} />} title="No chat selected">
            Pick a conversation, or start one from your contacts.
          </Empty>
        );
  }

  return (
    <div class={`shell section-${section}${detailOpen ? ' detail-open' : ''}`}>
      <nav class="rail" aria-label="Main">
        <div class="rail-logo" aria-hidden="true">
          <IconChat size={22} />
        </div>
        <Tab
          active={section === 'chats'}
          label="Chats"
          name={withCount('Chats', unread, 'unread message', 'unread messages')}
          icon={<IconChat />}
          to="/"
          badge={unread}
        />
        <Tab
          active={section === 'contacts'}
          label="Contacts"
          name={withCount('Contacts', badges.contactRequests, 'request', 'requests')}
          icon={<IconUsers />}
          to="/contacts"
          badge={badges.contactRequests}
        />
        <Tab
          active={section === 'groups'}
          label="Groups"
          name={withCount('Groups', badges.joinRequests, 'join request', 'join requests')}
          icon={<IconGroup />}
          to="/groups"
          badge={badges.joinRequests}
        />
        <Tab active={section === 'profile'} label="Me" icon={<IconUser />} to="/profile" />
        <a
          class="rail-me"
          href="/profile"
          onClick={(e) => {
            e.preventDefault();
            navigate('/profile');
          }}
          aria-label="My profile"
          title="My profile"
        >
          <Avatar id={me.id} name={me.nickname} media={me.avatar} size={34} />
        </a>
      </nav>
      <section class="list-pane">
        <ConnectionBanner />
        {list}
      </section>
      <main class="detail-pane">{detail}</main>
    </div>
  );
}
