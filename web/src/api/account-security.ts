import { deviceName } from './endpoints.js';
import { ApiError, get, post, put } from './http.js';
import type { AuthReply, Reply } from './types.js';
import { session } from '../session.js';

/* Two-factor sign-in, recovery, e-mail, export and deletion (issue 17): the account's security routes. */

export const twoFactor = {
  status: () => get<Reply<'getTwoFactor'>>('/me/2fa'),
  start: (password: string) => post<Reply<'startTotp'>>('/me/2fa/totp', { password }),
  confirm: (code: string) => post<Reply<'confirmTotp'>>('/me/2fa/totp/confirm', { code }),
  disable: (password: string, code: string) => post<Reply<'disableTotp'>>('/me/2fa/totp/disable', { password, code }),
  /** The second sign-in step: a 6-digit code or a recovery code. */
  login: (challenge: string, code: string) =>
    post<AuthReply>('/auth/login/totp', { challenge, code, device: deviceName() }),
};

export const recovery = {
  reset: (code: string, password: string) => post<Reply<'resetPassword'>>('/auth/reset', { code, password }),
  /** Always the same 202 answer whether or not an account has the address (501 when the server has no mail). */
  requestEmail: (email: string) => post<unknown>('/auth/reset/email', { email }),
  verifyEmail: (code: string) => post<Reply<'verifyEmail'>>('/auth/verify-email', { code }),
};

export const emailAddress = {
  get: () => get<Reply<'getMyEmail'>>('/me/email'),
  set: (email: string) => put<Reply<'setMyEmail'>>('/me/email', { email }),
};

export const account = {
  remove: (password: string) => post<Reply<'deleteMe'>>('/me/delete', { password }),
  /**
   * The data export as a Blob and its file name. Fetched with the bearer header (the token never goes
   * in a URL), so the browser cannot simply follow a link to it.
   */
  async exportZip(): Promise<{ blob: Blob; filename: string }> {
    const token = session.token();
    let res: Response;
    try {
      res = await fetch('/api/v1/me/export', {
        headers: token ? { authorization: `Bearer ${token}` } : {},
        credentials: 'omit',
        cache: 'no-store',
      });
    } catch {
      throw new ApiError(0, 'NETWORK', 'Cannot reach the server. Check your connection.');
    }
    if (!res.ok) {
      const body = (await res.json().catch(() => undefined)) as
        | { error?: { code: string; message: string } }
        | undefined;
      throw new ApiError(
        res.status,
        body?.error?.code ?? `HTTP_${res.status}`,
        body?.error?.message ?? 'Export failed',
      );
    }
    const name = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? 'parley-export.zip';
    return { blob: await res.blob(), filename: name };
  },
};

/** Saves a Blob as a download (an object URL on a temporary link, released afterwards). */
export function saveBlob(blob: Blob, filename: string) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
