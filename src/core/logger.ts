import pino, { type Logger } from 'pino';

/** JSON logs with credentials redacted wherever they appear in a logged object. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'palisade' },
      redact: {
        paths: [
          'headers.authorization',
          'headers.cookie',
          'headers["x-api-key"]',
          'req.headers.authorization',
          'req.headers.cookie',
          '*.token',
          '*.secret',
          '*.password',
          '*.apiKey',
          'token',
          'secret',
          'password',
        ],
        censor: '****',
      },
    },
    destination,
  );
}
