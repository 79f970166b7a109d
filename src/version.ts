import fs from 'node:fs';

/**
 * The package's version, read from package.json at run time. The relative path holds from
 * `src/` (tsx) and from `dist/` (the build) alike.
 */
export function packageVersion(): string {
  const pkg = JSON.parse(fs.readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}
