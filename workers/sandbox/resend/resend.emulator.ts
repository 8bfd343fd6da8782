import { Hono, type Context } from 'hono';
import { resendSandboxStub } from './resend.controls';
import type { SandboxEmail } from './resend.do';

/**
 * Resend's email API (POST /emails, GET /emails/{id}) as the product's
 * sandbox ESP, with Resend's error envelope `{ statusCode, name, message }`,
 * Bearer `re_...` keys and Idempotency-Key replay. What it receives is kept,
 * so tests and `npm run dev` users can read every email the product sent:
 * GET /sandbox/resend/_emulator/emails?to=someone@example.com with
 * `Authorization: Bearer re_sandbox` (any `re_` key).
 */
export const resendEmulator = new Hono<{ Bindings: Env }>();

// With real Resend in use the emulator is not served: its mailbox would be storage anyone could fill or read.
resendEmulator.use('*', async (c, next) => {
  if (c.env.PROVIDER_MODE === 'live') return resendError(c, 404, 'not_found', 'The Resend sandbox is off: this deployment sends through Resend.');
  await next();
});

function resendError(c: Context, status: 400 | 401 | 403 | 404 | 409 | 422 | 429 | 500, name: string, message: string) {
  return c.json({ statusCode: status, name, message }, status);
}

const ADDRESS = /^[^\s@<>,]+@[^\s@<>,]+\.[^\s@<>,]+$/;
/** "Name <a@b.c>" or "a@b.c". */
const SENDER = /^(?:[^<>]*<\s*([^\s@<>,]+@[^\s@<>,]+\.[^\s@<>,]+)\s*>|([^\s@<>,]+@[^\s@<>,]+\.[^\s@<>,]+))$/;

type Field = { ok: true; value: string[] } | { ok: false; message: string };

function addresses(value: unknown, field: string, required: boolean, max = 50): Field {
  if (value === undefined || value === null) return required ? { ok: false, message: `Missing \`${field}\` field.` } : { ok: true, value: [] };
  const list = typeof value === 'string' ? [value] : Array.isArray(value) && value.every((v) => typeof v === 'string') ? (value as string[]) : null;
  if (!list) return { ok: false, message: `The \`${field}\` field must be a string or an array of strings.` };
  if (required && list.length === 0) return { ok: false, message: `Missing \`${field}\` field.` };
  if (list.length > max) return { ok: false, message: `The \`${field}\` field cannot have more than ${max} addresses.` };
  const bad = list.find((a) => !ADDRESS.test(a.trim()));
  if (bad !== undefined)
    return {
      ok: false,
      message: `Invalid \`${field}\` field. The email address needs to follow the \`email@example.com\` or \`Name <email@example.com>\` format.`,
    };
  return { ok: true, value: list.map((a) => a.trim()) };
}

async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

resendEmulator.use('/emails/*', authorize);
resendEmulator.use('/emails', authorize);
resendEmulator.use('/_emulator/*', authorize);

async function authorize(c: Context, next: () => Promise<void>) {
  const auth = c.req.header('authorization') ?? '';
  const key = /^Bearer\s+(\S+)$/.exec(auth)?.[1];
  if (!key)
    return resendError(
      c,
      401,
      'missing_api_key',
      'Missing API key in the authorization header. Include the following header in the request: Authorization: Bearer YOUR_API_KEY',
    );
  if (!key.startsWith('re_')) return resendError(c, 403, 'invalid_api_key', 'API key is invalid');
  await next();
}

resendEmulator.post('/emails', async (c) => {
  const key = c.req.header('idempotency-key') ?? null;
  if (key !== null && (key.length < 1 || key.length > 256)) return resendError(c, 400, 'invalid_idempotency_key', 'The key must be between 1-256 chars.');
  const raw = await c.req.text();
  let body: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(raw);
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
    body = parsed as Record<string, unknown>;
  } catch {
    return resendError(c, 422, 'validation_error', 'Invalid JSON in the request body.');
  }
  if (typeof body.from !== 'string' || !SENDER.test(body.from.trim())) {
    return resendError(
      c,
      422,
      'validation_error',
      'Invalid `from` field. The email address needs to follow the `email@example.com` or `Name <email@example.com>` format.',
    );
  }
  const to = addresses(body.to, 'to', true);
  const cc = addresses(body.cc, 'cc', false);
  const bcc = addresses(body.bcc, 'bcc', false);
  const replyTo = addresses(body.reply_to, 'reply_to', false);
  for (const field of [to, cc, bcc, replyTo]) if (!field.ok) return resendError(c, 422, 'validation_error', field.message);
  if (typeof body.subject !== 'string' || body.subject.trim() === '') return resendError(c, 422, 'validation_error', 'Missing `subject` field.');
  const html = typeof body.html === 'string' ? body.html : null;
  const text = typeof body.text === 'string' ? body.text : null;
  if (!html && !text) return resendError(c, 422, 'validation_error', 'Missing `html` or `text` field.');
  const headers = body.headers ?? {};
  if (typeof headers !== 'object' || Array.isArray(headers) || !Object.values(headers as object).every((v) => typeof v === 'string')) {
    return resendError(c, 422, 'validation_error', 'The `headers` field must be an object of strings.');
  }
  const tags = body.tags ?? [];
  const tagOk = (t: unknown) =>
    !!t &&
    typeof t === 'object' &&
    ['name', 'value'].every(
      (k) => typeof (t as Record<string, unknown>)[k] === 'string' && /^[A-Za-z0-9_-]{1,256}$/.test((t as Record<string, string>)[k] as string),
    );
  if (!Array.isArray(tags) || !tags.every(tagOk)) {
    return resendError(c, 422, 'validation_error', 'Tags should only contain ASCII letters, numbers, underscores, or dashes.');
  }

  const result = await resendSandboxStub(c.env).accept(
    {
      from: body.from.trim(),
      to: (to as { value: string[] }).value,
      cc: (cc as { value: string[] }).value,
      bcc: (bcc as { value: string[] }).value,
      reply_to: (replyTo as { value: string[] }).value,
      subject: body.subject,
      html,
      text,
      headers: headers as Record<string, string>,
      tags: tags as SandboxEmail['tags'],
    },
    await sha256(raw),
    key,
  );
  if (!result.ok) return resendError(c, result.fault.status as 500, result.fault.name, result.fault.message);
  return c.json({ id: result.email.id }, 200);
});

resendEmulator.get('/emails/:id', async (c) => {
  const email = await resendSandboxStub(c.env).get(c.req.param('id'));
  if (!email) return resendError(c, 404, 'not_found', 'Email not found');
  return c.json(email, 200);
});

// ---------------------------------------------------------------- controls (JSON)

resendEmulator.get('/_emulator/emails', async (c) => {
  const limit = Number(c.req.query('limit') ?? 50);
  const emails = await resendSandboxStub(c.env).list({ to: c.req.query('to') || undefined, limit: Number.isFinite(limit) ? limit : 50 });
  return c.json({ object: 'list', data: emails });
});

resendEmulator.post('/_emulator/faults', async (c) => {
  const body = (await c.req.json().catch(() => ({}))) as { status?: number; name?: string; message?: string; count?: number };
  const status = Number.isInteger(body.status) && (body.status as number) >= 400 && (body.status as number) <= 599 ? (body.status as number) : 500;
  await resendSandboxStub(c.env).failNext(
    {
      status,
      name: body.name ?? (status === 429 ? 'rate_limit_exceeded' : 'application_error'),
      message: body.message ?? 'The sandbox was told to fail this request.',
    },
    Math.min(Math.max(Number(body.count ?? 1), 1), 100),
  );
  return c.json({ ok: true });
});

resendEmulator.all('*', (c) => resendError(c, 404, 'not_found', 'The requested endpoint does not exist.'));
