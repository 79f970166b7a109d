import os from 'node:os';
import pino, { type DestinationStream, type Logger } from 'pino';
import pretty from 'pino-pretty';

/** `PARLEY_LOG_FORMAT`: `auto` picks by where stdout goes. */
export type LogFormatSetting = 'auto' | 'json' | 'pretty';

/**
 * The format logs are written in: what the setting says, or for `auto` human-readable lines when
 * stdout is a terminal (someone is reading) and JSON lines otherwise (a file, a pipe, a log
 * collector, which must be able to parse every line).
 */
export function logFormat(setting: LogFormatSetting, stdout: { isTTY?: boolean }): 'json' | 'pretty' {
  if (setting !== 'auto') return setting;
  return stdout.isTTY ? 'pretty' : 'json';
}

export interface LoggerOptions {
  level: string;
  /** Where lines go; a given stream always gets JSON (tests read it). Default: stdout. */
  destination?: DestinationStream;
  /** `PARLEY_NODE_ID`: put in every line, so the lines of a cluster can be told apart. */
  nodeId?: string;
  format?: LogFormatSetting;
}

/**
 * Structured logs. Secrets are redacted by path as a second line of defence; the first is
 * that tokens never travel in URLs and request logs never include headers or bodies.
 */
export function createLogger(opts: LoggerOptions): Logger {
  const format = opts.destination ? 'json' : logFormat(opts.format ?? 'auto', process.stdout);
  // Pretty-printing happens in this thread, after pino has redacted and serialized the line;
  // colours only for a terminal (`pretty` forced into a file must not fill it with escapes).
  const destination =
    opts.destination ??
    (format === 'pretty' ? pretty({ colorize: Boolean(process.stdout.isTTY), destination: 1 }) : undefined);
  return pino(
    {
      level: opts.level,
      ...(opts.nodeId !== undefined
        ? { base: { pid: process.pid, hostname: os.hostname(), nodeId: opts.nodeId } }
        : {}),
      // Fix (hardening log test): request logs carried the full URL, query string included, so a
      // token a careless client put in `?token=` and the signature of a signed media URL (a
      // credential until it expires) were written to the log. Only the path is logged now.
      serializers: {
        req: (req: { method?: string; url?: string; ip?: string; socket?: { remoteAddress?: string } }) => ({
          method: req.method,
          url: (req.url ?? '').split('?')[0],
          remoteAddress: req.ip ?? req.socket?.remoteAddress,
        }),
      },
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers.cookie',
          '*.password',
          '*.token',
          '*.current',
          'password',
          'token',
          'headers.authorization',
        ],
        censor: '[redacted]',
      },
    },
    destination,
  );
}
