import { useState } from 'preact/hooks';
import { recovery, twoFactor } from '../../api/account-security.js';
import type { AuthReply } from '../../api/types.js';
import { Field } from '../common/widgets.js';
import { explain } from './explain.js';
import { recoveryReason } from './reset-screen.js';

/** The sign-in's second step for a two-factor account: a 6-digit code or one of the recovery codes. */
export function SecondStep({
  challenge,
  onAuthed,
  onBack,
}: {
  challenge: string;
  onAuthed: (r: AuthReply) => void;
  onBack: () => void;
}) {
  const [code, setCode] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setError('');
    const typed = code.trim();
    // Six digits, or a recovery code (16 letters and digits, dashes optional).
    if (!/^\d{6}$/.test(typed) && !/^[a-z0-9]{4}(-?[a-z0-9]{4}){3}$/i.test(typed))
      return setError('Type the 6 digits from your authenticator app, or a recovery code.');
    setBusy(true);
    try {
      onAuthed(await twoFactor.login(challenge, typed));
    } catch (err) {
      setError(explain(err));
      setCode('');
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="auth-card" onSubmit={submit} aria-label="Two-factor sign-in">
      <h2>Two-factor sign-in</h2>
      <p class="muted">Open your authenticator app and type the code it shows for Parley.</p>
      <Field label="Code" hint="Lost your phone? Type one of your recovery codes instead.">
        <input
          name="code"
          autoComplete="one-time-code"
          inputMode="text"
          maxLength={32}
          value={code}
          onInput={(e) => setCode(e.currentTarget.value)}
          required
          // biome-ignore lint/a11y/noAutofocus: the step's only field takes focus when it opens.
          autoFocus
        />
      </Field>
      {error && (
        <div class="form-error" role="alert">
          {error}
        </div>
      )}
      <button class="btn primary block" type="submit" disabled={busy}>
        {busy ? 'Please wait…' : 'Verify'}
      </button>
      <button class="btn ghost block" type="button" onClick={onBack}>
        Back
      </button>
    </form>
  );
}

/** "Forgot password?": asks for the recovery address; the answer is the same whether or not it is known. */
export function ForgotPassword({ onBack }: { onBack: () => void }) {
  const [email, setEmail] = useState('');
  const [error, setError] = useState('');
  const [sent, setSent] = useState(false);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setError('');
    setBusy(true);
    try {
      await recovery.requestEmail(email.trim());
      setSent(true);
    } catch (err) {
      setError(recoveryReason(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="auth-card" onSubmit={submit} aria-label="Reset password">
      <h2>Reset your password</h2>
      {sent ? (
        <p role="status">
          If an account has this verified address, a reset link is on its way. It works once, for 24 hours.
        </p>
      ) : (
        <>
          <p class="muted">We mail a reset link to the verified e-mail address of your account.</p>
          <Field label="E-mail address">
            <input
              name="email"
              type="email"
              autoComplete="email"
              maxLength={254}
              value={email}
              onInput={(e) => setEmail(e.currentTarget.value)}
              required
              // biome-ignore lint/a11y/noAutofocus: the form's only field takes focus when it opens.
              autoFocus
            />
          </Field>
          {error && (
            <div class="form-error" role="alert">
              {error}
            </div>
          )}
          <button class="btn primary block" type="submit" disabled={busy}>
            {busy ? 'Please wait…' : 'Send reset link'}
          </button>
        </>
      )}
      <button class="btn ghost block" type="button" onClick={onBack}>
        Back to log in
      </button>
    </form>
  );
}
