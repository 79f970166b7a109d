import { useEffect, useState } from 'preact/hooks';
import { type PushState, disablePush, enablePush, pushState } from '../../net/push.js';
import { IconBell } from '../icons.js';
import '../../styles/push.css';

/**
 * The "Notifications" setting: Web Push to this browser while no Parley tab is open, with a
 * per-device "Hide message text" choice. Whatever fails (permission, no push service in this
 * browser, the server) is said in the card, and the switch shows what is really the case.
 */
export function PushSettings() {
  const [state, setState] = useState<PushState | undefined>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [hideText, setHideText] = useState(false);

  const refresh = async () => {
    const s = await pushState().catch((e: Error): PushState => ({ status: 'unsupported', why: e.message }));
    setState(s);
    if (s.status === 'on') setHideText(s.hideText);
  };
  useEffect(() => {
    void refresh();
  }, []);

  const run = async (fn: () => Promise<void>) => {
    setBusy(true);
    setError('');
    try {
      await fn();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      await refresh();
      setBusy(false);
    }
  };

  if (!state) return null;
  const on = state.status === 'on';
  const toggle = () => run(() => (on ? disablePush() : enablePush(hideText)));
  // Re-registering with the new choice replaces this device's subscription on the server.
  const changeHide = (v: boolean) => {
    setHideText(v);
    if (on) void run(() => enablePush(v));
  };

  return (
    <section class="card push-settings" aria-label="Push notifications">
      <div class="row between">
        <div>
          <h3>
            <IconBell size={16} /> Notifications
          </h3>
          <span class="muted" role="status" data-push-state={state.status}>
            {state.status === 'unsupported'
              ? state.why
              : state.status === 'blocked'
                ? 'Blocked in your browser settings.'
                : on
                  ? 'On: this device is told of new messages while Parley is closed.'
                  : 'Off: get notifications on this device while Parley is closed.'}
          </span>
        </div>
        <label class="switch-control">
          <input
            type="checkbox"
            role="switch"
            aria-label="Notifications"
            aria-checked={on}
            checked={on}
            disabled={busy || state.status === 'unsupported' || state.status === 'blocked'}
            onChange={toggle}
          />
        </label>
      </div>
      <label class="row push-hide">
        <input
          type="checkbox"
          aria-label="Hide message text in notifications"
          checked={hideText}
          disabled={busy || state.status === 'unsupported' || state.status === 'blocked'}
          onChange={(e) => changeHide(e.currentTarget.checked)}
        />
        <span>Hide message text in notifications</span>
      </label>
      {error && (
        <p class="push-error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
