import { me as meApi } from '../../api/endpoints.js';
import type { PrivateUser } from '../../api/types.js';
import { app, setMe } from '../../state/app.js';
import { useStore } from '../../state/store.js';
import { Field, toast, useAction } from '../common/widgets.js';

type Setting = PrivateUser['lastSeen'];

const HINTS: Record<Setting, string> = {
  everyone: 'Anyone signed in can see when you were last online.',
  contacts: 'Only your contacts can see when you were last online.',
  nobody: 'No one sees when you were last online, and you do not see anyone else’s.',
};

/** Who may see when I was last online: saved as soon as it is picked. */
export function LastSeenPrivacy() {
  const me = useStore(app, (s) => s.me!);
  const [save, saving] = useAction(async (lastSeen: Setting) => {
    setMe(await meApi.update({ lastSeen }));
    toast('Privacy saved');
  });
  return (
    <section class="card stack" aria-label="Privacy">
      <h3>Privacy</h3>
      <Field label="Last seen" hint={HINTS[me.lastSeen]}>
        <select
          aria-label="Who sees my last seen"
          value={me.lastSeen}
          disabled={saving}
          onChange={(e) => void save(e.currentTarget.value as Setting)}
        >
          <option value="everyone">Everyone</option>
          <option value="contacts">My contacts</option>
          <option value="nobody">Nobody</option>
        </select>
      </Field>
    </section>
  );
}
