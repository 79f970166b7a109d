import { useEffect, useState } from 'preact/hooks';
import { live } from '../../net/live.js';
import { app } from '../../state/app.js';
import { useStore } from '../../state/store.js';
import { IconWifiOff } from '../icons.js';

/**
 * A visible line while the live connection is down or coming back, with the retry countdown;
 * when the server refused this tab (too many tabs or devices), what to do about it and a Retry.
 */
export function ConnectionBanner() {
  const conn = useStore(app, (s) => s.conn);
  const retryAt = useStore(app, (s) => s.retryAt);
  const [, tick] = useState(0);
  useEffect(() => {
    if (conn === 'online') return;
    const t = setInterval(() => tick((n) => n + 1), 500);
    return () => clearInterval(t);
  }, [conn]);
  if (conn === 'online') return null;
  if (conn === 'limited')
    return (
      <div class="conn-banner offline" role="alert" data-conn={conn}>
        <IconWifiOff size={16} />
        <span>Parley is open in too many tabs or devices. Close one of them (or sign out there), then retry.</span>
        <button type="button" class="btn small" onClick={() => live.reconnect()}>
          Retry
        </button>
      </div>
    );
  const secs = retryAt ? Math.max(0, Math.ceil((retryAt - Date.now()) / 1000)) : 0;
  const text =
    conn === 'connecting'
      ? 'Connecting…'
      : conn === 'reconnecting'
        ? secs > 0
          ? `Connection lost. Reconnecting in ${secs}s…`
          : 'Reconnecting…'
        : 'You are offline. Messages will send when you reconnect.';
  return (
    <div class={`conn-banner ${conn}`} role="status" data-conn={conn}>
      {conn !== 'connecting' && <IconWifiOff size={16} />}
      {conn === 'connecting' && <span class="spinner tiny" aria-hidden="true" />}
      <span>{text}</span>
    </div>
  );
}
