import { useEffect, useState } from 'preact/hooks';
import { me as meApi } from '../api/endpoints.js';
import { ApiError, setUnauthorizedHandler } from '../api/http.js';
import type { AuthReply } from '../api/types.js';
import { live } from '../net/live.js';
import { outbox } from '../net/outbox.js';
import { navigate, takeFragmentLink, useRoute } from '../router.js';
import { session } from '../session.js';
import { app, reset, setMe } from '../state/app.js';
import { resetBadges } from '../state/badges.js';
import { drafts } from '../state/drafts.js';
import { useStore } from '../state/store.js';
import { AuthScreen } from './auth/auth-screen.js';
import { ResetScreen, VerifyEmailScreen } from './auth/reset-screen.js';
import { Toasts } from './common/widgets.js';
import { Shell } from './shell.js';
import { InviteScreen, usePendingInvite } from './invite/invite-screen.js';

type Phase = 'booting' | 'out' | 'in';

function signOutLocally() {
  live.stop();
  session.clear();
  reset();
  resetBadges();
}

/** The root: restores the session from storage, shows the auth screens or the app. */
export function App() {
  const route = useRoute();
  const [phase, setPhase] = useState<Phase>(() => (session.get() ? 'booting' : 'out'));
  const me = useStore(app, (s) => s.me);
  const [invite, clearInvite] = usePendingInvite();
  // A reset or verification link, read once from the fragment (which is then cleared).
  const [link, setLink] = useState(takeFragmentLink);

  useEffect(() => {
    setUnauthorizedHandler(() => {
      signOutLocally();
      setPhase('out');
      navigate('/login', true);
    });
    if (phase !== 'booting') return;
    meApi.get().then(
      (u) => {
        setMe(u);
        live.start(session.token()!);
        outbox.restore();
        setPhase('in');
      },
      (e) => {
        // A network failure keeps the session (we retry on reload); only a refusal ends it.
        if (e instanceof ApiError && e.status === 401) {
          signOutLocally();
          setPhase('out');
        } else {
          setPhase('out');
        }
      },
    );
  }, []);

  useEffect(() => {
    if (phase === 'out' && route.name !== 'login' && route.name !== 'register') navigate('/login', true);
    if (phase === 'in' && (route.name === 'login' || route.name === 'register')) navigate('/', true);
  }, [phase, route.name]);

  const onAuthed = (r: AuthReply) => {
    session.save({ token: r.token, userId: r.user.id });
    setMe(r.user);
    live.start(r.token);
    outbox.restore();
    setPhase('in');
    navigate('/', true);
  };

  let body: preact.JSX.Element;
  if (link?.kind === 'reset')
    body = (
      <ResetScreen
        link={link}
        onDone={(changed) => {
          setLink(undefined);
          if (!changed) return;
          // A reset ends every session, this one included.
          if (phase !== 'out') {
            signOutLocally();
            setPhase('out');
          }
          navigate('/login', true);
        }}
      />
    );
  else if (link?.kind === 'verify-email') body = <VerifyEmailScreen link={link} onDone={() => setLink(undefined)} />;
  else if (phase === 'booting')
    body = (
      <div class="boot">
        <div class="spinner" role="status" aria-label="Loading" />
      </div>
    );
  else if (phase === 'out' || !me)
    body = <AuthScreen mode={route.name === 'register' ? 'register' : 'login'} onAuthed={onAuthed} />;
  else
    body = (
      <Shell
        route={route}
        onSignedOut={() => {
          outbox.forget();
          drafts.forget();
          signOutLocally();
          setPhase('out');
          navigate('/login', true);
        }}
      />
    );
  return (
    <>
      {body}
      {phase === 'in' && me && invite && <InviteScreen code={invite} onClose={clearInvite} />}
      <Toasts />
    </>
  );
}
