import type { ResendEmulator, ResendFault, SandboxEmail } from './resend.do';

/** The one sandbox mailbox every sandbox send lands in. */
export const RESEND_SANDBOX_INSTANCE = 'resend-sandbox';

export function resendSandboxStub(env: Env): DurableObjectStub<ResendEmulator> {
  return env.RESEND_EMULATOR.get(env.RESEND_EMULATOR.idFromName(RESEND_SANDBOX_INSTANCE));
}

/**
 * Emails the sandbox ESP received, newest first (to one address when given).
 * Also over HTTP: GET /sandbox/resend/_emulator/emails?to=...
 */
export async function sandboxEmails(env: Env, filter: { to?: string; limit?: number } = {}): Promise<SandboxEmail[]> {
  return resendSandboxStub(env).list(filter);
}

/** Makes the next `count` sends fail, as an outage or a rate limit would. */
export async function failNextSandboxEmails(env: Env, fault: ResendFault, count = 1): Promise<void> {
  await resendSandboxStub(env).failNext(fault, count);
}
