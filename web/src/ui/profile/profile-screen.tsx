import { LastSeenPrivacy } from './last-seen-privacy.js';
import { useEffect, useRef, useState } from 'preact/hooks';
import { auth, me as meApi, media as mediaApi } from '../../api/endpoints.js';
import type { SessionView } from '../../api/types.js';
import { listStamp } from '../../format.js';
import { live } from '../../net/live.js';
import { askNotificationPermission, notificationsSupported } from '../../net/notify.js';
import { app, setMe } from '../../state/app.js';
import { useStore } from '../../state/store.js';
import { Avatar } from '../common/avatar.js';
import { Field, toast, toastError, useAction } from '../common/widgets.js';
import { IconBell, IconCamera, IconLogout, IconShield } from '../icons.js';
import { PushSettings } from './push-settings.js';
import { SecuritySettings } from './security-settings.js';

/** My profile: picture, nickname, bio, password, notifications, log out. */
export function ProfileScreen({ onSignedOut }: { onSignedOut: () => void }) {
  const me = useStore(app, (s) => s.me!);
  const [form, setForm] = useState({ nickname: me.nickname, bio: me.bio });
  const [pw, setPw] = useState({ current: '', password: '' });
  const [progress, setProgress] = useState<number | undefined>();
  const [perm, setPerm] = useState(() => (notificationsSupported() ? Notification.permission : 'denied'));
  const file = useRef<HTMLInputElement>(null);

  const [save, saving] = useAction(async () => {
    setMe(await meApi.update({ nickname: form.nickname.trim(), bio: form.bio }));
    toast('Profile saved');
  });
  const [changePw, changing] = useAction(async () => {
    await meApi.changePassword(pw.current, pw.password);
    setPw({ current: '', password: '' });
    toast('Password changed. Your other sessions were signed out.');
  });
  const [logout] = useAction(async () => {
    // Close the socket first: the revocation would otherwise reach it as a 4003 close, which the
    // client checks with GET /me (a 401 the user asked for is not something to confirm).
    live.stop();
    await auth.logout().catch(() => {});
    onSignedOut();
  });

  const pickAvatar = async (f: File | undefined) => {
    if (!f) return;
    setProgress(0);
    try {
      const m = await mediaApi.upload(f, f.name, setProgress).done;
      setMe(await meApi.update({ avatar: m.id }));
      toast('Profile picture updated');
    } catch (e) {
      toastError(e);
    } finally {
      setProgress(undefined);
    }
  };

  return (
    <div class="pane">
      <header class="pane-head">
        <h1>Me</h1>
      </header>
      <div class="pane-scroll padded">
        <div class="profile-top">
          <button
            type="button"
            class="avatar-edit"
            onClick={() => file.current?.click()}
            aria-label="Change profile picture"
          >
            <Avatar id={me.id} name={me.nickname} media={me.avatar} size={88} />
            <span class="avatar-cam">
              <IconCamera size={16} />
            </span>
          </button>
          <input
            ref={file}
            type="file"
            accept="image/*"
            hidden
            data-testid="avatar-input"
            onChange={(e) => {
              void pickAvatar(e.currentTarget.files?.[0]);
              e.currentTarget.value = '';
            }}
          />
          <div>
            <h2 class="profile-name">{me.nickname}</h2>
            <span class="muted">
              @{me.username}
              {me.mobile ? ` · ${me.mobile}` : ''}
            </span>
          </div>
        </div>
        {progress !== undefined && (
          <div class="progress" role="progressbar" aria-label="Upload progress">
            <span style={{ width: `${Math.round(progress * 100)}%` }} />
          </div>
        )}
        <form
          class="card stack"
          onSubmit={(e) => {
            e.preventDefault();
            void save();
          }}
          aria-label="Profile"
        >
          <h3>Profile</h3>
          <Field label="Display name">
            <input
              value={form.nickname}
              onInput={(e) => setForm({ ...form, nickname: e.currentTarget.value })}
              maxLength={64}
              required
              aria-label="Display name"
            />
          </Field>
          <Field label="Bio">
            <textarea
              rows={3}
              value={form.bio}
              onInput={(e) => setForm({ ...form, bio: e.currentTarget.value })}
              maxLength={512}
              aria-label="Bio"
              placeholder="A few words about you"
            />
          </Field>
          <div class="row end">
            <button type="submit" class="btn primary" disabled={saving}>
              Save profile
            </button>
          </div>
        </form>
        <LastSeenPrivacy />
        <form
          class="card stack"
          onSubmit={(e) => {
            e.preventDefault();
            void changePw();
          }}
          aria-label="Password"
        >
          <h3>
            <IconShield size={16} /> Password
          </h3>
          <Field label="Current password">
            <input
              type="password"
              autoComplete="current-password"
              value={pw.current}
              onInput={(e) => setPw({ ...pw, current: e.currentTarget.value })}
              required
              aria-label="Current password"
            />
          </Field>
          <Field label="New password" hint="At least 8 characters. Every other session is signed out.">
            <input
              type="password"
              autoComplete="new-password"
              minLength={8}
              value={pw.password}
              onInput={(e) => setPw({ ...pw, password: e.currentTarget.value })}
              required
              aria-label="New password"
            />
          </Field>
          <div class="row end">
            <button type="submit" class="btn primary" disabled={changing}>
              Change password
            </button>
          </div>
        </form>
        {notificationsSupported() && (
          <div class="card row between">
            <div>
              <h3>
                <IconBell size={16} /> Desktop notifications
              </h3>
              <span class="muted">
                {perm === 'granted'
                  ? 'On while Parley is in the background.'
                  : perm === 'denied'
                    ? 'Blocked in your browser settings.'
                    : 'Get a notification for new messages.'}
              </span>
            </div>
            {perm === 'default' && (
              <button type="button" class="btn ghost" onClick={async () => setPerm(await askNotificationPermission())}>
                Enable
              </button>
            )}
          </div>
        )}
        <PushSettings />
        <SecuritySettings onDeleted={onSignedOut} />
        <button type="button" class="btn danger block" onClick={() => logout()}>
          <IconLogout size={16} /> Log out
        </button>
        <div class="only-phone">
          <Sessions />
        </div>
      </div>
    </div>
  );
}

/** My live sessions, with the current one marked, and a way to end the others. */
function Sessions() {
  const [list, setList] = useState<SessionView[]>();
  const [reload, setReload] = useState(0);
  useEffect(() => {
    meApi.sessions().then(setList, toastError);
  }, [reload]);
  const [end] = useAction(async (id: string) => {
    await meApi.revokeSession(id);
    toast('Session ended');
    setReload((n) => n + 1);
  });
  return (
    <div class="pane">
      <header class="pane-head">
        <h1>Sessions</h1>
      </header>
      <div class="pane-scroll padded">
        <p class="muted">Devices signed in to your account. End any you do not recognise.</p>
        <ul class="sessions" aria-label="Sessions">
          {list?.map((s) => (
            <li class="session card" key={s.id} data-current={String(s.current)}>
              <div>
                <strong>{s.device || 'Unknown device'}</strong>
                {s.current && <span class="pill">This device</span>}
                <div class="muted">
                  {s.ip} · signed in {listStamp(s.createdAt)} · active {listStamp(s.lastSeenAt)}
                </div>
              </div>
              {!s.current && (
                <button type="button" class="btn ghost small" onClick={() => end(s.id)}>
                  End session
                </button>
              )}
            </li>
          ))}
        </ul>
      </div>
    </div>
  );
}

ProfileScreen.Sessions = Sessions;
