// Shared by the ensure-*-build scripts: "is the build older than what it is built from?"
import fs from 'node:fs';
import path from 'node:path';

/** The newest modification time (ms) of a file, or of anything below a folder; 0 when missing. */
export function newest(p) {
  let st;
  try {
    st = fs.statSync(p);
  } catch {
    return 0;
  }
  if (!st.isDirectory()) return st.mtimeMs;
  let max = st.mtimeMs;
  for (const name of fs.readdirSync(p)) max = Math.max(max, newest(path.join(p, name)));
  return max;
}
