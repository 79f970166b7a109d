import '../../styles/security.css';
import { useEffect, useState } from 'preact/hooks';
import { account, emailAddress, saveBlob, twoFactor } from '../../api/account-security.js';
import { ApiError } from '../../api/http.js';
import type { Reply } from '../../api/types.js';
import { live } from '../../net/live.js';
import { session } from '../../session.js';
import { Field, toast } from '../common/widgets.js';
import { IconShield } from '../icons.js';

/** Plain sentences for the security routes' refusals (server messages are for developers). */
function reason(e: unknown): string {
  if (e instanceof ApiError) {
    switch (e.code) {
      case 'INVALID_CREDENTIALS':
        return 'That password is not right.';
      case 'INVALID_CODE':
        return 'That code is not right. Codes change every 30 seconds; type the current one.';
      case 'TOO_MANY_ATTEMPTS':
        return 'Too many attempts. Wait a few minutes and try again.';
      case 'RATE_LIMITED':
        return 'You did that a moment ago. Wait a few minutes and try again.';
      case 'MAIL_NOT_CONFIGURED':
        return 'This server cannot send e-mail, so a recovery address cannot be set here.';
      case 'TOTP_ALREADY_ENABLED':
        return 'Two-factor sign-in is already on.';
      case 'TOTP_NOT_ENABLED':
        return 'Two-factor sign-in is already off.';
      case 'TOTP_NOT_PENDING':
        return 'Start again: the set-up expired.';
      case 'VALIDATION_FAILED':
        return 'Check what you typed and try again.';
      case 'NETWORK':
        return e.message;
    }
  }
  return 'Something went wrong. Try again.';
}

function Problem({ text }: { text: string }) {
  return text ? (
    <div class="form-error" role="alert">
      {text}
    </div>
  ) : null;
}

/** Runs a form's action with a busy flag and a plain error shown in the form. */
function useForm(fn: () => Promise<void>): [(e: Event) => Promise<void>, boolean, string, (s: string) => void] {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const run = async (e: Event) => {
    e.preventDefault();
    setError('');
    setBusy(true);
    try {
      await fn();
    } catch (err) {
      setError(reason(err));
    } finally {
      setBusy(false);
    }
  };
  return [run, busy, error, setError];
}

type Status = Reply<'getTwoFactor'>;
type Enrolment = Reply<'startTotp'>;

/** Turning TOTP on (password → QR and secret → a code → the recovery codes, once) and off. */
function TwoFactorCard() {
  const [status, setStatus] = useState<Status>();
  const [step, setStep] = useState<'idle' | 'password' | 'confirm' | 'codes' | 'disable'>('idle');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [enrol, setEnrol] = useState<Enrolment>();
  const [codes, setCodes] = useState<string[]>([]);
  const load = () => twoFactor.status().then(setStatus, () => {});
  useEffect(() => {
    void load();
  }, []);
  const clear = () => {
    setPassword('');
    setCode('');
  };
  const cancel = () => {
    clear();
    setEnrol(undefined);
    setStep('idle');
  };

  const [start, starting, startError] = useForm(async () => {
    setEnrol(await twoFactor.start(password));
    clear();
    setStep('confirm');
  });
  const [confirm, confirming, confirmError] = useForm(async () => {
    const r = await twoFactor.confirm(code.trim());
    setCodes(r.recoveryCodes);
    setEnrol(undefined);
    clear();
    setStep('codes');
    await load();
  });
  const [disable, disabling, disableError] = useForm(async () => {
    await twoFactor.disable(password, code.trim());
    clear();
    setStep('idle');
    await load();
    toast('Two-factor sign-in is off');
  });

  const passwordField = (
    <Field label="Current password">
      <input
        type="password"
        name="current-password"
        autoComplete="current-password"
        maxLength={128}
        required
        value={password}
        onInput={(e) => setPassword(e.currentTarget.value)}
      />
    </Field>
  );

  return (
    <section class="card stack" aria-label="Two-factor sign-in">
      <h3>
        <IconShield size={16} /> Two-factor sign-in
      </h3>
      {!status ? (
        <span class="muted">Loading…</span>
      ) : step === 'codes' ? (
        <>
          <p>
            Two-factor sign-in is on. Keep these recovery codes somewhere safe: each signs you in once if you lose your
            phone. They are shown only now.
          </p>
          <ul class="recovery-codes" aria-label="Recovery codes">
            {codes.map((c) => (
              <li key={c}>
                <code>{c}</code>
              </li>
            ))}
          </ul>
          <div class="row end">
            <button type="button" class="btn primary" onClick={() => setStep('idle')}>
              I have saved them
            </button>
          </div>
        </>
      ) : status.totp ? (
        step === 'disable' ? (
          <form class="stack" onSubmit={disable} aria-label="Turn off two-factor sign-in">
            {passwordField}
            <Field label="Code" hint="From your authenticator app, or a recovery code.">
              <input
                name="code"
                autoComplete="one-time-code"
                maxLength={32}
                required
                value={code}
                onInput={(e) => setCode(e.currentTarget.value)}
              />
            </Field>
            <Problem text={disableError} />
            <div class="row end">
              <button type="button" class="btn ghost" onClick={cancel}>
                Cancel
              </button>
              <button type="submit" class="btn danger" disabled={disabling}>
                Turn off
              </button>
            </div>
          </form>
        ) : (
          <div class="row between">
            <span class="muted">
              On. {status.recoveryCodesLeft} recovery code{status.recoveryCodesLeft === 1 ? '' : 's'} left.
            </span>
            <button type="button" class="btn ghost" onClick={() => setStep('disable')}>
              Turn off two-factor
            </button>
          </div>
        )
      ) : step === 'password' ? (
        <form class="stack" onSubmit={start} aria-label="Turn on two-factor sign-in">
          {passwordField}
          <Problem text={startError} />
          <div class="row end">
            <button type="button" class="btn ghost" onClick={cancel}>
              Cancel
            </button>
            <button type="submit" class="btn primary" disabled={starting}>
              Continue
            </button>
          </div>
        </form>
      ) : step === 'confirm' && enrol ? (
        <form class="stack" onSubmit={confirm} aria-label="Confirm two-factor sign-in">
          <p>Scan this with an authenticator app, or type the key into it by hand.</p>
          <img class="totp-qr" src={enrol.qr} alt="QR code for your authenticator app" width={180} height={180} />
          <Field label="Key">
            <input class="totp-secret" readOnly value={enrol.secret} aria-label="Key" />
          </Field>
          <Field label="Code from the app">
            <input
              name="code"
              inputMode="numeric"
              autoComplete="one-time-code"
              pattern="[0-9]{6}"
              maxLength={6}
              required
              value={code}
              onInput={(e) => setCode(e.currentTarget.value)}
            />
          </Field>
          <Problem text={confirmError} />
          <div class="row end">
            <button type="button" class="btn ghost" onClick={cancel}>
              Cancel
            </button>
            <button type="submit" class="btn primary" disabled={confirming}>
              Turn on
            </button>
          </div>
        </form>
      ) : (
        <div class="row between">
          <span class="muted">Off. Ask for a code from your phone as well as your password.</span>
          <button type="button" class="btn primary" onClick={() => setStep('password')}>
            Turn on two-factor
          </button>
        </div>
      )}
    </section>
  );
}

/** The recovery address: set it, see whether it is verified. */
function EmailCard() {
  const [state, setState] = useState<Reply<'getMyEmail'>>();
  const [email, setEmail] = useState('');
  const [sent, setSent] = useState(false);
  useEffect(() => {
    emailAddress.get().then(setState, () => {});
  }, []);
  const [save, saving, error] = useForm(async () => {
    await emailAddress.set(email.trim());
    setSent(true);
    setState(await emailAddress.get());
    setEmail('');
  });
  return (
    <section class="card stack" aria-label="Recovery e-mail">
      <h3>Recovery e-mail</h3>
      {state?.email && (
        <p data-testid="email-state">
          {state.email} ·{' '}
          {state.verified ? (
            <strong>verified</strong>
          ) : (
            <span>not verified yet{sent ? ': verification sent, open the link in the e-mail' : ''}</span>
          )}
        </p>
      )}
      <form class="stack" onSubmit={save} aria-label="Set recovery e-mail">
        <Field label="E-mail address" hint="Used only to reset your password. We mail a link to confirm it.">
          <input
            name="email"
            type="email"
            autoComplete="email"
            maxLength={254}
            required
            value={email}
            onInput={(e) => setEmail(e.currentTarget.value)}
          />
        </Field>
        <Problem text={error} />
        <div class="row end">
          <button type="submit" class="btn primary" disabled={saving}>
            {state?.email ? 'Change address' : 'Set address'}
          </button>
        </div>
      </form>
    </section>
  );
}

/** Download my data: the ZIP fetched with the bearer header and saved from a Blob. */
function ExportCard() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const run = async () => {
    setError('');
    setBusy(true);
    try {
      const { blob, filename } = await account.exportZip();
      saveBlob(blob, filename);
      toast('Your data was downloaded');
    } catch (e) {
      setError(reason(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="card stack" aria-label="Your data">
      <h3>Your data</h3>
      <span class="muted">One ZIP of your profile, contacts, groups, the messages you sent and your uploads.</span>
      <Problem text={error} />
      <div class="row end">
        <button type="button" class="btn ghost" onClick={run} disabled={busy}>
          {busy ? 'Preparing…' : 'Download my data'}
        </button>
      </div>
    </section>
  );
}

/** The danger zone: deleting the account takes the password and an explicit tick. */
function DeleteCard({ onDeleted }: { onDeleted: () => void }) {
  const [password, setPassword] = useState('');
  const [sure, setSure] = useState(false);
  const [remove, removing, error, setError] = useForm(async () => {
    if (!sure) return setError('Tick the box to confirm.');
    // The server ends this session too; close the socket first so its 4003 close is not a surprise.
    live.stop();
    try {
      await account.remove(password);
    } catch (e) {
      const token = session.token();
      if (token) live.start(token);
      throw e;
    }
    onDeleted();
  });
  return (
    <section class="card stack danger-zone" aria-label="Delete account">
      <h3>Delete account</h3>
      <span class="muted">
        Your profile, contacts and sessions are erased. Messages you sent stay, shown as from “Deleted account”. This
        cannot be undone.
      </span>
      <form class="stack" onSubmit={remove} aria-label="Delete my account">
        <Field label="Password">
          <input
            type="password"
            name="delete-password"
            autoComplete="current-password"
            maxLength={128}
            required
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
        </Field>
        <label class="row">
          <input type="checkbox" checked={sure} onChange={(e) => setSure(e.currentTarget.checked)} />
          <span>I understand my account is deleted for good</span>
        </label>
        <Problem text={error} />
        <div class="row end">
          <button type="submit" class="btn danger" disabled={removing}>
            Delete my account
          </button>
        </div>
      </form>
    </section>
  );
}

/** Settings → Security, on my profile: two-factor, recovery e-mail, data export, deletion. */
export function SecuritySettings({ onDeleted }: { onDeleted: () => void }) {
  return (
    <div class="stack security-settings">
      <h2 class="section-title">Security</h2>
      <TwoFactorCard />
      <EmailCard />
      <ExportCard />
      <DeleteCard onDeleted={onDeleted} />
    </div>
  );
}
