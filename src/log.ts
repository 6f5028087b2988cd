/** The pino logger: JSON lines, secrets and message bodies redacted. The only logger import. */
import { pino, type Logger } from 'pino'

export type { Logger }

export function createLogger(level: string): Logger {
  return pino({
    level,
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'res.headers["set-cookie"]',
        '*.password',
        '*.token',
        '*.text',
      ],
      censor: '[redacted]',
    },
  })
}
