import { pino, type Logger } from 'pino';

export type { Logger };

/** JSON logs; credentials and webhook signatures are redacted, and no transcript text is ever logged. */
export function createLogger(level = 'info', destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: { service: 'opencx-relay' },
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers["webhook-signature"]',
          'headers.authorization',
          '*.clientSecret',
          '*.apiKey',
          'config.webhookSecrets',
          'config.relayBearerTokens',
        ],
        censor: '[redacted]',
      },
    },
    destination as pino.DestinationStream | undefined,
  );
}
