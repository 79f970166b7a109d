import type { ConversationSummary, Entry } from './frames.js';
import type { AuthReply, ErrorReply, Page, RequestBody, RestAck } from './rest-types.js';

/** The REST prefix of API version 1. */
export const API_PREFIX = '/api/v1';

/**
 * A REST call the server refused (or could not be made: `status` 0, code `NETWORK`). `code` is
 * the error code of the reply body; `temporary` and `retryAfterMs` say when repeating the same
 * call unchanged may succeed.
 */
export class RestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly temporary = false,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'RestError';
  }
}

export interface RestOptions {
  /** The server's origin, e.g. `http://127.0.0.1:8080` (the `/api/v1` prefix is added). */
  baseUrl: string;
  /** A bearer token to start with; `login` and `register` set it. */
  token?: string;
  /** Defaults to the global `fetch` (Node 18+, browsers). */
  fetch?: typeof fetch;
}

/** `POST /auth/register`'s body, from the OpenAPI document (`device` is shown in the session list). */
export type RegisterInput = RequestBody<'register'>;

/** `POST /auth/login`'s body: `login` is a username or a mobile number. */
export type LoginInput = RequestBody<'login'>;

/** `GET /conversations/:cid/messages`: entries below `before` or above `after`, ascending. */
export interface HistoryQuery {
  before?: number;
  after?: number;
  limit?: number;
}

/** A message sent over REST (`POST /conversations/:cid/messages`' body): a socket `send` without `type` and `to`. */
export type RestSendInput = RequestBody<'sendMessage'>;

/**
 * The REST calls a client needs around the socket. Contract: every call resolves with the
 * parsed reply of a 2xx answer and rejects with a {@link RestError} otherwise; `login` and
 * `register` keep the session's token, which later calls send as `Authorization: Bearer` (never
 * in the URL). `send` is idempotent by `clientId` like the socket's: a resend answers the
 * original ack.
 */
export interface Rest {
  /** The current session token (undefined before login). */
  readonly token: string | undefined;
  register(input: RegisterInput): Promise<AuthReply>;
  login(input: LoginInput): Promise<AuthReply>;
  logout(): Promise<void>;
  conversations(): Promise<ConversationSummary[]>;
  history(conversation: string, query?: HistoryQuery): Promise<Page<Entry>>;
  send(conversation: string, message: RestSendInput): Promise<RestAck>;
}

export function createRest(opts: RestOptions): Rest {
  const base = opts.baseUrl.replace(/\/+$/, '') + API_PREFIX;
  const doFetch = opts.fetch ?? globalThis.fetch;
  let token = opts.token;

  async function call<T>(method: string, path: string, body?: unknown, query?: object): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) q.set(k, String(v));
    const url = base + path + (q.size ? `?${q}` : '');
    let res: Response;
    try {
      res = await doFetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (e) {
      throw new RestError(0, 'NETWORK', `cannot reach ${url}: ${(e as Error).message}`, true);
    }
    const text = await res.text();
    let data: unknown;
    try {
      data = text ? JSON.parse(text) : undefined;
    } catch {
      data = text;
    }
    if (!res.ok) {
      const err = (data as Partial<ErrorReply> | undefined)?.error;
      const retry = Number(res.headers.get('retry-after'));
      throw new RestError(
        res.status,
        err?.code ?? `HTTP_${res.status}`,
        err?.message ?? `${method} ${path} failed (${res.status})`,
        err?.temporary === true,
        Number.isFinite(retry) && retry > 0 ? retry * 1000 : undefined,
      );
    }
    return data as T;
  }

  const session = async (p: Promise<AuthReply>) => {
    const reply = await p;
    token = reply.token;
    return reply;
  };
  const cid = encodeURIComponent;

  return {
    get token() {
      return token;
    },
    register: (input) => session(call('POST', '/auth/register', input)),
    login: (input) => session(call('POST', '/auth/login', input)),
    logout: async () => {
      await call('POST', '/auth/logout', {});
      token = undefined;
    },
    conversations: async () => (await call<Page<ConversationSummary>>('GET', '/conversations')).items,
    history: (conversation, query) =>
      call<Page<Entry>>('GET', `/conversations/${cid(conversation)}/messages`, undefined, query),
    send: (conversation, message) => call<RestAck>('POST', `/conversations/${cid(conversation)}/messages`, message),
  };
}
