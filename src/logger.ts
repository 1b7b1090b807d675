import pino, { type Logger, type LoggerOptions } from 'pino';

/**
 * Customer PII never reaches logs in clear text: names and addresses are censored outright, phone numbers
 * are masked to `138****8000` so support staff can still correlate a call.
 */
export function maskPhone(phone: unknown): string {
  if (typeof phone !== 'string') return '[redacted]';
  const digits = phone.replace(/\D/g, '');
  // Drop a country code so masks read like the numbers people dial (138****8000).
  const national = digits.length > 11 && digits.startsWith('86') ? digits.slice(2) : digits;
  if (national.length < 7) return '****';
  return `${national.slice(0, 3)}****${national.slice(-4)}`;
}

const PII_PATHS = [
  '*.name',
  '*.address',
  '*.customerName',
  '*.*.name',
  '*.*.address',
  'customer',
  '*.customer.name',
  '*.customer.address',
];
const PHONE_PATHS = ['phone', 'to', '*.phone', '*.to', '*.*.phone', '*.customer.phone'];

export function loggerOptions(level = process.env.LOG_LEVEL ?? 'info'): LoggerOptions {
  return {
    level,
    base: { service: 'aftercare' },
    redact: {
      paths: [...PII_PATHS, ...PHONE_PATHS],
      censor: (value, path) => (PHONE_PATHS.includes(path.join('.')) || path[path.length - 1] === 'phone' || path[path.length - 1] === 'to' ? maskPhone(value) : '[redacted]'),
    },
  };
}

export function createLogger(level?: string, destination?: pino.DestinationStream): Logger {
  return destination ? pino(loggerOptions(level), destination) : pino(loggerOptions(level));
}

export type { Logger };
