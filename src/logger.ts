import pino, { type DestinationStream, type Logger } from 'pino';

/**
 * Structured JSON logs. Secrets are redacted by path as a second line of defence; the first is
 * that tokens never travel in URLs and request logs never include headers or bodies.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino({
    level,
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', '*.password', '*.token', '*.current', 'password', 'token', 'headers.authorization'],
      censor: '[redacted]',
    },
  }, destination);
}
