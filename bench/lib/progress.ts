/** One status line, rewritten in place on a terminal (plain lines otherwise, at most 1/s). */
export class Progress {
  private last = 0;
  constructor(private readonly label: string) {}

  update(text: string, force = false) {
    const now = performance.now();
    if (!force && now - this.last < (process.stderr.isTTY ? 200 : 1000)) return;
    this.last = now;
    const line = `[${this.label}] ${text}`;
    if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K${line}`);
    else process.stderr.write(`${line}\n`);
  }

  done() {
    if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
  }
}
