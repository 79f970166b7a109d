import { get } from './http.js';
import type { components } from './openapi.js';

export type SearchHit = components['schemas']['SearchHit'];
export type SearchPage = components['schemas']['SearchPage'];

/** `GET /search`: hits newest first; pass `next` back as `cursor` for older ones. */
export const searchMessages = (q: { q: string; conversation?: string; cursor?: string; limit?: number }) =>
  get<SearchPage>('/search', q);
