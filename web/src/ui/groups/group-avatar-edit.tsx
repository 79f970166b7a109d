import { useRef, useState } from 'preact/hooks';
import { groups as api, media as mediaApi } from '../../api/endpoints.js';
import type { Group } from '../../api/types.js';
import { bumpSocial, rememberGroups } from '../../state/app.js';
import { Avatar } from '../common/avatar.js';
import { toast, toastError } from '../common/widgets.js';
import { IconCamera } from '../icons.js';

/**
 * The group's picture in the detail header. For admins it is a button: pick an image, it is
 * uploaded and named as the group's `avatar`; the chat list, chat header and group list show it
 * (they read the remembered group, and the group list refetches on the social bump).
 */
export function GroupAvatarEdit({
  group,
  admin,
  onChange,
}: {
  group: Group;
  admin: boolean;
  onChange: (g: Group) => void;
}) {
  const input = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState(false);
  const pic = <Avatar id={group.id} name={group.name} media={group.avatar} size={40} square />;
  if (!admin) return pic;
  const pick = async (f: File | undefined) => {
    if (!f) return;
    setBusy(true);
    try {
      const m = await mediaApi.upload(f, f.name).done;
      const g = await api.update(group.id, { avatar: m.id });
      rememberGroups([g]);
      onChange(g);
      bumpSocial();
      toast('Group picture updated');
    } catch (e) {
      toastError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button
        type="button"
        class="avatar-edit small"
        onClick={() => input.current?.click()}
        aria-label="Change group picture"
        disabled={busy}
        aria-busy={busy || undefined}
      >
        {pic}
        <span class="avatar-cam">
          <IconCamera size={12} />
        </span>
      </button>
      <input
        ref={input}
        type="file"
        accept="image/*"
        hidden
        data-testid="group-avatar-input"
        onChange={(e) => {
          void pick(e.currentTarget.files?.[0]);
          e.currentTarget.value = '';
        }}
      />
    </>
  );
}
