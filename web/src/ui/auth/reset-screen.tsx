import { useEffect, useState } from 'preact/hooks';
import { recovery } from '../../api/account-security.js';
import { ApiError } from '../../api/http.js';
import type { FragmentLink } from '../../router.js';
import { Field } from '../common/widgets.js';
import { IconChat } from '../icons.js';

/** Plain sentences for what the recovery routes refuse. */
export function recoveryReason(e: unknown): string {
  if (e instanceof ApiError) {
    switch (e.code) {
      case 'INVALID_CODE':
        return 'This link or code is not valid any more. It works once, for 24 hours. Ask for a new one.';
      case 'TOO_MANY_ATTEMPTS':
      case 'RATE_LIMITED':
        return 'Too many attempts. Wait a few minutes and try again.';
      case 'MAIL_NOT_CONFIGURED':
        return 'This server cannot send e-mail. Ask its operator for a reset code.';
      case 'VALIDATION_FAILED':
        if (/password/.test(e.message)) return 'Passwords need at least 8 characters.';
        if (/email/.test(e.message)) return 'That does not look like an e-mail address.';
        return 'Check what you typed and try again.';
      case 'NETWORK':
        return e.message;
    }
  }
  return 'Something went wrong. Try again.';
}

function Frame({ label, children }: { label: string; children: preact.ComponentChildren }) {
  return (
    <div class="auth">
      <div class="auth-brand">
        <div class="logo">
          <IconChat size={28} />
        </div>
        <h1>Parley</h1>
      </div>
      <section class="auth-card" aria-label={label}>
        {children}
      </section>
    </div>
  );
}

/** `#/reset/<code>`: choose a new password with a one-time reset code (typed in when the link had none). */
export function ResetScreen({ link, onDone }: { link: FragmentLink; onDone: (changed: boolean) => void }) {
  const [code, setCode] = useState(link.code);
  const [pw, setPw] = useState({ a: '', b: '' });
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    setError('');
    if (pw.a !== pw.b) return setError('The two passwords are not the same.');
    if (pw.a.length < 8) return setError('Passwords need at least 8 characters.');
    setBusy(true);
    try {
      await recovery.reset(code.trim(), pw.a);
      setDone(true);
    } catch (err) {
      setError(recoveryReason(err));
    } finally {
      setBusy(false);
    }
  };

  if (done)
    return (
      <Frame label="Password reset">
        <h2>Password changed</h2>
        <p role="status">Your new password is set, and every device was signed out. Log in with it now.</p>
        <button type="button" class="btn primary block" onClick={() => onDone(true)}>
          Log in
        </button>
      </Frame>
    );
  return (
    <Frame label="Password reset">
      <form class="stack" onSubmit={submit} aria-label="Choose a new password">
        <h2>Choose a new password</h2>
        {!link.code && (
          <Field label="Reset code" hint="From your operator or the reset e-mail.">
            <input
              name="code"
              autoComplete="one-time-code"
              value={code}
              maxLength={64}
              required
              onInput={(e) => setCode(e.currentTarget.value)}
            />
          </Field>
        )}
        <Field label="New password" hint="At least 8 characters.">
          <input
            name="password"
            type="password"
            autoComplete="new-password"
            minLength={8}
            maxLength={128}
            required
            value={pw.a}
            onInput={(e) => setPw({ ...pw, a: e.currentTarget.value })}
          />
        </Field>
        <Field label="New password again">
          <input
            name="password2"
            type="password"
            autoComplete="new-password"
            minLength={8}
            maxLength={128}
            required
            value={pw.b}
            onInput={(e) => setPw({ ...pw, b: e.currentTarget.value })}
          />
        </Field>
        {error && (
          <div class="form-error" role="alert">
            {error}
          </div>
        )}
        <button class="btn primary block" type="submit" disabled={busy}>
          {busy ? 'Please wait…' : 'Set new password'}
        </button>
        <button type="button" class="btn ghost block" onClick={() => onDone(false)}>
          Cancel
        </button>
      </form>
    </Frame>
  );
}

/** `#/verify-email/<code>`: confirms a recovery address as soon as it opens. */
export function VerifyEmailScreen({ link, onDone }: { link: FragmentLink; onDone: () => void }) {
  const [state, setState] = useState<'busy' | 'ok' | string>('busy');
  useEffect(() => {
    if (!link.code) return setState(recoveryReason(new ApiError(401, 'INVALID_CODE', '')));
    recovery.verifyEmail(link.code).then(
      () => setState('ok'),
      (e) => setState(recoveryReason(e)),
    );
  }, [link.code]);
  return (
    <Frame label="E-mail verification">
      <h2>E-mail address</h2>
      {state === 'busy' ? (
        <div class="spinner" role="status" aria-label="Verifying" />
      ) : state === 'ok' ? (
        <p role="status">Your e-mail address is verified. It can now be used to reset your password.</p>
      ) : (
        <p class="form-error" role="alert">
          {state}
        </p>
      )}
      <button type="button" class="btn primary block" onClick={onDone} disabled={state === 'busy'}>
        Continue
      </button>
    </Frame>
  );
}
