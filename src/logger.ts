import pino, { type DestinationStream, type Logger } from 'pino';

/**
 * Structured JSON logs. Secrets are redacted by path as a second line of defence; the first is
 * that tokens never travel in URLs and request logs never include headers or bodies.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
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
