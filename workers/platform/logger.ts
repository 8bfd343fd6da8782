/**
 * Structured JSON logs, one line per event, with the request id on each.
 * Secrets never reach a log: keys that look like credentials are redacted.
 */
const SECRET_KEYS = /pass(word)?|secret|token|api[_-]?key|authorization|cookie|hash/i;

export type LogFields = Record<string, unknown>;

export interface Logger {
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

export function redact(value: unknown, depth = 0): unknown {
  if (depth > 4 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    out[key] = SECRET_KEYS.test(key) ? '[redacted]' : redact(v, depth + 1);
  }
  return out;
}

export function createLogger(base: LogFields = {}): Logger {
  const write = (level: 'info' | 'warn' | 'error', message: string, fields: LogFields = {}) => {
    const line = JSON.stringify({ level, message, time: new Date().toISOString(), ...(redact({ ...base, ...fields }) as LogFields) });
    if (level === 'error') console.error(line);
    else if (level === 'warn') console.warn(line);
    else console.log(line);
  };
  return {
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
    child: (fields) => createLogger({ ...base, ...fields }),
  };
}
