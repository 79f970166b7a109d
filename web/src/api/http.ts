import { session } from '../session.js';
import type { components } from './openapi.js';

/** A failed API call: the server's stable error code and human message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const BASE = '/api/v1';

type Query = Record<string, string | number | boolean | undefined>;

function qs(q?: Query): string {
  if (!q) return '';
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
}

/** Called when the server says our session is gone (logout elsewhere, password change). */
let onUnauthorized: () => void = () => {};
export function setUnauthorizedHandler(fn: () => void) {
  onUnauthorized = fn;
}
export function signalUnauthorized() {
  onUnauthorized();
}

async function parse(res: Response): Promise<unknown> {
  const text = await res.text();
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function toError(status: number, body: unknown): ApiError {
  // A reply that did not come from Parley (a proxy's 502 page) has no coded body.
  const err = (body as Partial<components['schemas']['ErrorReply']> | undefined)?.error;
  return new ApiError(status, err?.code ?? `HTTP_${status}`, err?.message ?? `Request failed (${status})`);
}

/**
 * The typed fetch wrapper every screen uses: JSON in and out, the session's Bearer token in the
 * Authorization header (never in the URL), coded errors thrown as {@link ApiError}.
 */
export async function api<T>(
  method: string,
  path: string,
  opts: { body?: unknown; query?: Query; auth?: boolean } = {},
): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const token = session.token();
  if (token && opts.auth !== false) headers.authorization = `Bearer ${token}`;
  let body: string | undefined;
  if (opts.body !== undefined || method === 'POST' || method === 'PUT') {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(opts.body ?? {});
  }
  let res: Response;
  try {
    res = await fetch(BASE + path + qs(opts.query), { method, headers, body, credentials: 'omit', cache: 'no-store' });
  } catch {
    throw new ApiError(0, 'NETWORK', 'Cannot reach the server. Check your connection.');
  }
  const data = await parse(res);
  if (!res.ok) {
    const err = toError(res.status, data);
    // Only a refused session ends it: a wrong current password or code (INVALID_CREDENTIALS,
    // INVALID_CODE) is a 401 too, but the session stays.
    if (
      res.status === 401 &&
      token &&
      opts.auth !== false &&
      (err.code === 'UNAUTHENTICATED' || err.code === 'HTTP_401')
    )
      onUnauthorized();
    throw err;
  }
  return data as T;
}

export const get = <T>(path: string, query?: Query) => api<T>('GET', path, { query });
export const post = <T>(path: string, body?: unknown) => api<T>('POST', path, { body });
export const patch = <T>(path: string, body: unknown) => api<T>('PATCH', path, { body });
export const put = <T>(path: string, body?: unknown) => api<T>('PUT', path, { body });
export const del = <T>(path: string) => api<T>('DELETE', path);

export interface UploadHandle<T> {
  done: Promise<T>;
  abort(): void;
}

/**
 * Multipart upload with progress: fetch cannot report upload progress, XMLHttpRequest can.
 * `onProgress` gets a fraction from 0 to 1.
 */
export function upload<T>(
  path: string,
  file: Blob,
  name: string,
  onProgress?: (fraction: number) => void,
  fields: Record<string, string> = {},
  /** Extra file parts (e.g. a video's `poster`), sent before the main file. */
  extra: Record<string, Blob> = {},
): UploadHandle<T> {
  const xhr = new XMLHttpRequest();
  const done = new Promise<T>((resolve, reject) => {
    xhr.open('POST', BASE + path);
    const token = session.token();
    if (token) xhr.setRequestHeader('authorization', `Bearer ${token}`);
    xhr.responseType = 'text';
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && onProgress) onProgress(e.loaded / e.total);
    };
    xhr.onload = () => {
      let data: unknown;
      try {
        data = xhr.responseText ? JSON.parse(xhr.responseText) : undefined;
      } catch {
        data = xhr.responseText;
      }
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress?.(1);
        resolve(data as T);
      } else {
        if (xhr.status === 401) onUnauthorized();
        reject(toError(xhr.status, data));
      }
    };
    xhr.onerror = () => reject(new ApiError(0, 'NETWORK', 'The upload failed. Check your connection.'));
    xhr.onabort = () => reject(new ApiError(0, 'ABORTED', 'Upload canceled'));
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    for (const [k, v] of Object.entries(extra)) form.append(k, v, `${k}.jpg`);
    form.append('file', file, name);
    xhr.send(form);
  });
  return { done, abort: () => xhr.abort() };
}
