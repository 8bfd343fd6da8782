import { providerEndpoint } from '../platform/providers';

/** What POST /emails takes (Resend's SendEmailRequest, the parts the product uses). */
export interface OutgoingEmail {
  from: string;
  to: string[];
  subject: string;
  html: string;
  text: string;
  reply_to?: string[];
  headers?: Record<string, string>;
  tags?: Array<{ name: string; value: string }>;
}

/** Resend refused or failed a send; `retryable` when trying again later can help. */
export class EmailSendError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }

  get retryable(): boolean {
    return this.status === 0 || this.status === 409 || this.status === 429 || this.status >= 500;
  }
}

const SEND_TIMEOUT_MS = 10_000;

/**
 * Sends one email through Resend's REST API (the sandbox emulator unless
 * PROVIDER_MODE=live). The idempotency key makes a retried send deliver once.
 */
export async function sendEmail(env: Env, email: OutgoingEmail, idempotencyKey: string): Promise<{ id: string }> {
  const endpoint = providerEndpoint(env, 'resend');
  let response: Response;
  try {
    response = await endpoint.fetch(`${endpoint.baseUrl}/emails`, {
      method: 'POST',
      headers: { authorization: `Bearer ${endpoint.apiKey}`, 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
      body: JSON.stringify(email),
      signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
    });
  } catch (err) {
    throw new EmailSendError(0, 'connection_error', `Resend could not be reached: ${err instanceof Error ? err.message : String(err)}`);
  }
  const body = (await response.json().catch(() => null)) as { id?: unknown; name?: unknown; message?: unknown } | null;
  if (!response.ok || typeof body?.id !== 'string') {
    const code = typeof body?.name === 'string' ? body.name : 'unexpected_response';
    const message = typeof body?.message === 'string' ? body.message : `Resend answered HTTP ${response.status}.`;
    throw new EmailSendError(response.ok ? 502 : response.status, code, message);
  }
  return { id: body.id };
}
