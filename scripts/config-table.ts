// Prints the README's configuration table from the settings table in src/config.ts;
// with --write, replaces the table between the config markers in README.md.
import fs from 'node:fs';
import { settings } from '../src/config.js';

const human = (n: number, unit: 'ms' | 'bytes') => {
  const steps: [number, string][] =
    unit === 'ms'
      ? [
          [86_400_000, 'd'],
          [3_600_000, 'h'],
          [60_000, 'm'],
          [1000, 's'],
          [1, 'ms'],
        ]
      : [
          [1 << 30, 'GiB'],
          [1 << 20, 'MiB'],
          [1024, 'KiB'],
          [1, ''],
        ];
  if (n === 0) return '0';
  const [size, name] = steps.find(([k]) => n % k === 0)!;
  return `${n / size}${name}`;
};
const show = (v: unknown, unit?: 'ms' | 'bytes') => {
  if (typeof v === 'function') return 'see description';
  if (typeof v === 'number' && unit) return human(v, unit);
  if (v === undefined) return 'unset';
  if (Array.isArray(v)) return v.length ? v.join(',') : 'none';
  return String(v);
};
const lines = ['| Variable | Flag | Default | What it does |', '| --- | --- | --- | --- |'];
for (const s of Object.values(settings)) {
  lines.push(
    `| \`${s.env}\` | ${s.flag ? `\`${s.flag}\`` : ''} | ${show(s.def, s.unit)} | ${s.doc.replace(/\|/g, '\\|')} |`,
  );
}
const table = `${lines.join('\n')}\n`;
if (process.argv.includes('--write')) {
  const readme = fs.readFileSync('README.md', 'utf8');
  const next = readme.replace(/(<!-- config:start -->\n)[\s\S]*?(<!-- config:end -->)/, `$1${table}$2`);
  fs.writeFileSync('README.md', next);
} else {
  process.stdout.write(table);
}
