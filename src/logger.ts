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
  'name',
  'address',
  'customerName',
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
      // Paths may hold symbols (pino internals), so compare keys as strings.
      censor: (value, path) => {
        const last = String(path[path.length - 1]);
        return PHONE_PATHS.includes(path.map(String).join('.')) || last === 'phone' || last === 'to' ? maskPhone(value) : '[redacted]';
      },
    },
  };
}

/**
 * Mainland mobile numbers (optionally +86 / 86), not part of a longer run of letters or digits (timestamps,
 * hashes). The safety net for numbers that reach a log line outside a known field: a caller's id, a URL.
 */
const MOBILE_IN_TEXT = /(?<![0-9A-Za-z])(?:\+?86[ -]?)?1[3-9]\d[ -]?\d{4}[ -]?\d{4}(?![0-9A-Za-z])/g;

export function maskPhonesInText(text: string): string {
  return text.replace(MOBILE_IN_TEXT, (m) => maskPhone(m));
}

/** Every serialized line passes through maskPhonesInText before it is written. */
function masking(destination: pino.DestinationStream): pino.DestinationStream {
  return { write: (line: string) => destination.write(maskPhonesInText(line)) };
}

export function createLogger(level?: string, destination?: pino.DestinationStream): Logger {
  return pino(loggerOptions(level), masking(destination ?? pino.destination({ dest: 1, sync: true })));
}

export type { Logger };
