import fs from 'node:fs';
import path from 'node:path';
import type { TestServer } from '../support/server.js';

export interface UploadReply {
  status: number;
  body: any;
}

/** Posts a multipart upload over real HTTP. `files` lets a test send none or several. */
export async function upload(
  s: TestServer,
  token: string | undefined,
  files: { data: Buffer; name: string; type?: string; field?: string }[],
  fields: Record<string, string> = {},
): Promise<UploadReply> {
  const fd = new FormData();
  for (const [k, v] of Object.entries(fields)) fd.append(k, v);
  for (const f of files)
    fd.append(
      f.field ?? 'file',
      new Blob([new Uint8Array(f.data)], { type: f.type ?? 'application/octet-stream' }),
      f.name,
    );
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`${s.url}/api/v1/media`, { method: 'POST', body: fd, headers });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, body };
}

export const uploadOne = (
  s: TestServer,
  token: string,
  data: Buffer,
  name: string,
  fields: Record<string, string> = {},
) => upload(s, token, [{ data, name }], fields);

/** GETs a (relative) media URL without any session. */
export async function fetchMedia(s: TestServer, url: string, headers: Record<string, string> = {}) {
  const res = await fetch(s.url + url, { headers });
  const body = Buffer.from(await res.arrayBuffer());
  return { status: res.status, headers: res.headers, body };
}

/** Everything under `<dataDir>/blobs`: stored blobs (by hash) and leftovers in tmp/. */
export function blobFiles(s: TestServer): { blobs: string[]; temps: string[] } {
  const root = path.join(s.dataDir, 'blobs');
  const blobs: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) {
        if (e.name !== 'tmp') walk(path.join(dir, e.name));
      } else blobs.push(e.name);
    }
  };
  walk(root);
  return { blobs: blobs.sort(), temps: fs.readdirSync(path.join(root, 'tmp')) };
}

/** The Kysely handle of the test server's store (tests read and plant rows directly). */
export const dbOf = (s: TestServer) => s.app.store.conn.db;
