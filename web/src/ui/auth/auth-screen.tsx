import { useState } from 'preact/hooks';
import { auth } from '../../api/endpoints.js';
import type { AuthReply } from '../../api/types.js';
import { navigate } from '../../router.js';
import { Field } from '../common/widgets.js';
import { explain } from './explain.js';
import { ForgotPassword, SecondStep } from './second-step.js';
import { IconChat } from '../icons.js';

/** Log in and register: one card, two modes, addressed as /login and /register. */
export function AuthScreen({ mode, onAuthed }: { mode: 'login' | 'register'; onAuthed: (r: AuthReply) => void }) {
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const [nickname, setNickname] = useState('');
  const [mobile, setMobile] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const [challenge, setChallenge] = useState<string>();
  const [forgot, setForgot] = useState(false);
  const isRegister = mode === 'register';

  const submit = async (e: Event) => {
    e.preventDefault();
    setError('');
    setBusy(true);
    try {
      const r = isRegister
        ? await auth.register({
            username: login.trim(),
            password,
            nickname: nickname.trim() || login.trim(),
            ...(mobile.trim() ? { mobile: mobile.trim() } : {}),
          })
        : await auth.login(login.trim(), password);
      if ('challenge' in r) setChallenge(r.challenge);
      else onAuthed(r);
    } catch (err) {
      setError(explain(err));
    } finally {
      setBusy(false);
    }
  };

  // The second sign-in step and "Forgot password?" take the card's place (see second-step.tsx).
  if (!isRegister && (challenge || forgot))
    return (
      <div class="auth">
        <div class="auth-brand">
          <div class="logo">
            <IconChat size={28} />
          </div>
          <h1>Parley</h1>
        </div>
        {challenge ? (
          <SecondStep
            challenge={challenge}
            onAuthed={onAuthed}
            onBack={() => {
              setChallenge(undefined);
              setPassword('');
            }}
          />
        ) : (
          <ForgotPassword onBack={() => setForgot(false)} />
        )}
      </div>
    );

  return (
    <div class="auth">
      <div class="auth-brand">
        <div class="logo">
          <IconChat size={28} />
        </div>
        <h1>Parley</h1>
        <p>Messages that arrive once, in order, on every device.</p>
      </div>
      <form class="auth-card" onSubmit={submit} aria-label={isRegister ? 'Create account' : 'Log in'}>
        <h2>{isRegister ? 'Create your account' : 'Welcome back'}</h2>
        <p class="muted">
          {isRegister ? 'Pick a username people can find you by.' : 'Log in with your username or mobile number.'}
        </p>
        <Field label={isRegister ? 'Username' : 'Username or mobile'}>
          <input
            name="login"
            autoComplete="username"
            value={login}
            onInput={(e) => setLogin(e.currentTarget.value)}
            required
            // biome-ignore lint/a11y/noAutofocus: the first field of a dialog or sign-in form takes focus when it opens (the dialog pattern).
            autoFocus
          />
        </Field>
        {isRegister && (
          <>
            <Field label="Display name" hint="Shown to your contacts; you can change it later.">
              <input
                name="nickname"
                autoComplete="nickname"
                value={nickname}
                onInput={(e) => setNickname(e.currentTarget.value)}
                maxLength={64}
              />
            </Field>
            <Field label="Mobile (optional)">
              <input
                name="mobile"
                type="tel"
                autoComplete="tel"
                value={mobile}
                onInput={(e) => setMobile(e.currentTarget.value)}
              />
            </Field>
          </>
        )}
        <Field label="Password" hint={isRegister ? 'At least 8 characters.' : undefined}>
          <input
            name="password"
            type="password"
            autoComplete={isRegister ? 'new-password' : 'current-password'}
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
            required
            minLength={isRegister ? 8 : 1}
          />
        </Field>
        {error && (
          <div class="form-error" role="alert">
            {error}
          </div>
        )}
        <button class="btn primary block" type="submit" disabled={busy}>
          {busy ? 'Please wait…' : isRegister ? 'Create account' : 'Log in'}
        </button>
        <p class="switch">
          {isRegister ? 'Already have an account? ' : 'New to Parley? '}
          <a
            href={isRegister ? '/login' : '/register'}
            onClick={(e) => {
              e.preventDefault();
              setError('');
              navigate(isRegister ? '/login' : '/register');
            }}
          >
            {isRegister ? 'Log in' : 'Create an account'}
          </a>
        </p>
        {!isRegister && (
          <p class="switch">
            <button type="button" class="link-btn" onClick={() => setForgot(true)}>
              Forgot password?
            </button>
          </p>
        )}
      </form>
    </div>
  );
}
