// What `npm run dev` shows of wrangler's output: one line per request and
// whatever needs attention, without the lines every start prints that
// need none (the bindings table, the offline Request.cf warning and its
// stack trace, the note that crons are not fired locally: the dev server
// fires them itself).

/** Lines (or the start of blocks) that are known to be harmless on every local start. */
const HARMLESS = [
  /^\s*⛅️ wrangler \d/,
  /^[─-]{10,}$/,
  /^Using (secrets|vars) defined in \.dev\.vars/,
  /^Your Worker has access to the following bindings:/,
  /^Binding\s+Resource/,
  /^env\.[A-Z_]+ /,
  /^⎔ (Starting|Reloading) local server/,
  /^⎔ Local server updated and ready/,
  /^\[wrangler:info\] Ready on /,
  /Unable to fetch the `Request\.cf` object/,
  /^Error: getaddrinfo (ENOTFOUND|EAI_AGAIN) workers\.cloudflare\.com/,
  /^Cloudflare collects anonymous telemetry/,
  /Scheduled Workers are not automatically triggered during local development/,
  /^To manually trigger a scheduled event, run:/,
  /^curl "http:\/\/[^"]+\/cdn-cgi\/handler\/scheduled"/,
  /^For more details, see .*cron-triggers/,
  /^No (bindings|environment) found/,
];

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*m/g;

/** wrangler's own access-log line: the app logs /api requests itself (with their request id), so those are dropped. */
const WRANGLER_REQUEST = /^\[wrangler:info\] (GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) (\S+) (\d{3})/;
/** wrangler's line per queue batch: `QUEUE <name> <acked>/<total> (<ms>)`; a fully acknowledged batch needs no line. */
const WRANGLER_QUEUE = /^\[wrangler:info\] QUEUE (\S+) (\d+)\/(\d+)/;
/** The request id of the local server's own health probes (scripts/local-server.mjs), whose lines are dropped. */
export const HEALTH_PROBE_REQUEST_ID = 'local-server-health-probe';

/** The dev server's own every-minute call: it reports failures itself. */
const SCHEDULED_CALL = /^POST \/sandbox\/scheduled 200$/;

/**
 * One output line as a person should see it, or null to drop it. The app's
 * JSON log lines become short text; its per-request line becomes
 * `POST /api/contacts 201 (12 ms) req_...`.
 */
export function formatLine(raw) {
  const line = raw.replace(ANSI, '').replace(/\s+$/, '');
  if (!line.trim()) return null;
  if (HARMLESS.some((re) => re.test(line.trim()))) return null;
  // The stack trace under the Request.cf warning.
  if (/^\s+at .*(GetAddrInfoReqWrap|node:dns|node:internal\/async_hooks)/.test(line)) return null;
  const request = WRANGLER_REQUEST.exec(line);
  if (request) {
    const shown = `${request[1]} ${request[2]} ${request[3]}`;
    return request[2].startsWith('/api/') || SCHEDULED_CALL.test(shown) ? null : shown;
  }
  const queue = WRANGLER_QUEUE.exec(line);
  if (queue) return queue[2] === queue[3] ? null : `queue ${queue[1]}: ${queue[2]} of ${queue[3]} messages handled, the rest will be retried`;
  if (line.startsWith('{') && line.endsWith('}')) {
    try {
      const { level, message, time: _time, request_id, ...rest } = JSON.parse(line);
      if (message === 'request' && request_id === HEALTH_PROBE_REQUEST_ID) return null;
      if (message === 'request' && rest.method && rest.path)
        return `${rest.method} ${rest.path} ${rest.status} (${rest.duration_ms} ms) ${request_id ?? ''}`.trimEnd();
      const extra = Object.entries(rest)
        .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
        .join(' ');
      return `${level === 'info' ? '' : `${String(level).toUpperCase()} `}${message}${request_id ? ` ${request_id}` : ''}${extra ? `  ${extra}` : ''}`;
    } catch {
      return line;
    }
  }
  return line;
}

/**
 * A writer for wrangler's output stream: splits chunks into lines, drops the
 * harmless ones and hands the rest to `write` with a newline.
 *
 * @example const out = createOutputFilter((text) => process.stdout.write(text)); child.stdout.on('data', (c) => out.push(c.toString()));
 */
export function createOutputFilter(write) {
  let pending = '';
  const emit = (raw) => {
    const shown = formatLine(raw);
    if (shown !== null) write(`${shown}\n`);
  };
  return {
    push(text) {
      pending += text;
      const lines = pending.split(/\r?\n/);
      pending = lines.pop() ?? '';
      for (const l of lines) emit(l);
    },
    flush() {
      if (pending) emit(pending);
      pending = '';
    },
  };
}
