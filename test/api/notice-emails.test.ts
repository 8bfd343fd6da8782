import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { WalletQueueMessage } from '../../durable-objects/wallet/wallet.messages';
import { deliverNoticeEmails } from '../../workers/email/notice-delivery';
import { sendEmail } from '../../workers/email/resend.client';
import worker from '../../workers/dev';
import { failNextSandboxEmails, sandboxEmails } from '../../workers/sandbox/resend/resend.controls';
import type { SandboxEmail } from '../../workers/sandbox/resend/resend.do';
import { call, createTenant, uniqueEmail } from '../factories';
import type { Notification, Page, SavedBranding, SubAccount, TeamMember } from '../api-types';

/** What the sandbox ESP answers: Resend's send reply, its error body, and the emulator's mailbox listing. */
type ResendSent = { id: string };
type ResendError = { statusCode: number; name: string; message: string };
type SandboxMailbox = { object: 'list'; data: SandboxEmail[] };

const sandbox = <T = unknown>(method: string, path: string, init: { key?: string | null; body?: string; idempotencyKey?: string } = {}) =>
  call<T>(method, `/sandbox/resend${path}`, {
    raw: init.body,
    headers: {
      ...(init.key === null ? {} : { authorization: `Bearer ${init.key ?? 're_test_key'}` }),
      ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(init.idempotencyKey ? { 'idempotency-key': init.idempotencyKey } : {}),
    },
  });

/** Delivers one wallet notice to the Worker's queue handler, as the wallet Queue would, and expects it acknowledged. */
async function walletNotice(accountId: string, kind: string, payload: Record<string, unknown>): Promise<void> {
  const body: WalletQueueMessage = { kind: 'notice', wallet_id: `wal_${accountId}`, account_id: accountId, notice: { kind, payload, created_at: Date.now() } };
  const id = crypto.randomUUID();
  const batch = createMessageBatch<WalletQueueMessage>('edge-crm-wallet-events', [{ id, timestamp: new Date(), attempts: 1, body }]);
  const ctx = createExecutionContext();
  await worker.queue(batch, env, ctx);
  expect(await getQueueResult(batch, ctx)).toMatchObject({ explicitAcks: [id], retryMessages: [] });
}

const notices = async (token: string) =>
  (await call<Page<Notification>>('GET', '/api/notifications', { token })).body.data as Array<{
    kind: string;
    email: { status: string; to: string[]; error: string | null } | null;
  }>;

describe('the sandbox ESP speaks Resend', () => {
  it('sends, replays an idempotency key, refuses a reused key with another body, and answers Resend errors', async () => {
    const email = JSON.stringify({ from: 'Acme <hello@acme.test>', to: ['a@example.com'], subject: 'Hi', text: 'Hello' });
    const first = await sandbox<ResendSent>('POST', '/emails', { body: email, idempotencyKey: 'k-1' });
    expect(first.status).toBe(200);
    expect((await sandbox<ResendSent>('POST', '/emails', { body: email, idempotencyKey: 'k-1' })).body.id).toBe(first.body.id);
    const reused = await sandbox('POST', '/emails', { body: email.replace('Hello', 'Other'), idempotencyKey: 'k-1' });
    expect(reused.status).toBe(409);
    expect(reused.body).toEqual({ statusCode: 409, name: 'invalid_idempotent_request', message: expect.any(String) });

    // GET /emails/{id} answers the spec's Email object (shared/specs/resend, components.schemas.Email).
    const got = await sandbox('GET', `/emails/${first.body.id}`);
    expect(got.status).toBe(200);
    for (const field of ['bcc', 'cc', 'created_at', 'from', 'html', 'id', 'last_event', 'message_id', 'object', 'reply_to', 'subject', 'text', 'to'])
      expect(got.body).toHaveProperty(field);
    expect(got.body).toMatchObject({
      object: 'email',
      id: first.body.id,
      to: ['a@example.com'],
      from: 'Acme <hello@acme.test>',
      subject: 'Hi',
      text: 'Hello',
      last_event: 'delivered',
    });

    expect((await sandbox('POST', '/emails', { key: null, body: email })).body).toMatchObject({ statusCode: 401, name: 'missing_api_key' });
    expect((await sandbox('POST', '/emails', { key: 'sk_wrong', body: email })).body).toMatchObject({ statusCode: 403, name: 'invalid_api_key' });
    for (const bad of [
      '{not json',
      JSON.stringify({ from: 'nobody', to: 'a@example.com', subject: 'x', text: 'y' }),
      JSON.stringify({ from: 'a@acme.test', to: 'not-an-address', subject: 'x', text: 'y' }),
      JSON.stringify({ from: 'a@acme.test', to: 'a@example.com', text: 'y' }),
      JSON.stringify({ from: 'a@acme.test', to: 'a@example.com', subject: 'x' }),
    ]) {
      const refused = await sandbox<ResendError>('POST', '/emails', { body: bad });
      expect(refused.status, bad).toBe(422);
      expect(refused.body.name).toBe('validation_error');
    }
    expect((await sandbox('GET', '/emails/does-not-exist')).status).toBe(404);
    // The mailbox is read with a sandbox key, like the API.
    expect((await sandbox('GET', '/_emulator/emails?to=a@example.com', { key: null })).status).toBe(401);
    expect((await sandbox<SandboxMailbox>('GET', '/_emulator/emails?to=A@example.com')).body.data.map((m: { id: string }) => m.id)).toContain(first.body.id);
  });
});

describe('notice emails', () => {
  it('a failed payment warning is emailed to the owner once, and the notice says so', async () => {
    const tenant = await createTenant({ name: 'Harbor Bakery' });
    // The dunning step writes the notice pending and asks for delivery at once; the same delivery path runs here.
    await env.DB.prepare(
      "INSERT INTO notifications (id, account_id, kind, message, dedupe_key, created_at, email_status, email_next_at) VALUES (?, ?, 'billing.payment_warning', 'Your payment of $97.00 for Starter failed twice (Your card was declined.).', ?, ?, 'pending', ?)",
    )
      .bind(`ntf_${crypto.randomUUID()}`, tenant.accountId, `test:${crypto.randomUUID()}`, Date.now(), Date.now())
      .run();
    expect(await deliverNoticeEmails(env, { accountId: tenant.accountId })).toEqual({ sent: 1, retrying: 0, failed: 0, no_recipient: 0 });
    expect(await deliverNoticeEmails(env, { accountId: tenant.accountId })).toEqual({ sent: 0, retrying: 0, failed: 0, no_recipient: 0 });

    const [mail, ...more] = await sandboxEmails(env, { to: tenant.email });
    expect(more).toEqual([]);
    expect(mail).toMatchObject({
      from: '"CRM" <notifications@mail.edge-crm.dev>',
      to: [tenant.email],
      subject: 'Payment failed for Harbor Bakery Co: please update your card',
      reply_to: [],
    });
    expect(mail.text).toContain('Your payment of $97.00 for Starter failed twice');
    expect(mail.text).toContain('Update your card: http://localhost:8787/billing');
    expect(mail.html).toContain('href="http://localhost:8787/billing"');
    expect((await notices(tenant.token))[0]).toMatchObject({ kind: 'billing.payment_warning', email: { status: 'sent', to: [tenant.email], error: null } });
  });

  it("a client of an agency gets the low-balance email in the agency's branding, with its support address to reply to", async () => {
    const agency = await createTenant({ agency: true, name: 'Bright' });
    expect(
      (
        await agency.api<SavedBranding>('PUT', '/api/agency/branding', {
          app_name: 'Bright CRM',
          primary_color: '#0F766E',
          support_email: 'help@brightagency.com',
        })
      ).status,
    ).toBe(200);
    const client = (await agency.api<SubAccount>('POST', '/api/agency/sub-accounts', { name: 'Harbor <Dental>' })).body;
    const ownerEmail = uniqueEmail('dentist');
    expect(
      (
        await agency.api<TeamMember>('POST', `/api/agency/sub-accounts/${client.id}/users`, {
          email: ownerEmail,
          name: 'Dana',
          role: 'owner',
          password: 'dentist-password-1',
        })
      ).status,
    ).toBe(201);

    await walletNotice(client.id, 'wallet.low_balance', { balance_micros: 4_500_000, threshold_micros: 10_000_000 });
    const [mail] = await sandboxEmails(env, { to: ownerEmail });
    expect(mail).toMatchObject({
      from: '"Bright CRM" <notifications@mail.edge-crm.dev>',
      subject: 'Harbor <Dental>: your wallet balance is low',
      reply_to: ['help@brightagency.com'],
    });
    expect(mail.html?.toLowerCase()).toContain('border-top:4px solid #0f766e');
    expect(mail.html).toContain('Harbor &lt;Dental&gt;');
    expect(mail.html).not.toContain('Harbor <Dental>');
    expect(mail.text).toContain('Your wallet balance is $4.50, below $10.00.');
    expect(mail.text).toContain('Add funds: http://localhost:8787/wallet');
    expect(mail.text).toContain('Questions? Write to help@brightagency.com.');
    expect(mail.tags).toEqual([
      { name: 'notice', value: 'wallet_low_balance' },
      { name: 'account', value: client.id.replace(/[^A-Za-z0-9_-]/g, '_') },
    ]);
    // The agency's own staff are not written to about the client's wallet.
    expect(await sandboxEmails(env, { to: agency.email })).toEqual([]);
  });

  it('an ESP outage is retried later and still makes one email; a client with nobody to write to is recorded as such', async () => {
    const tenant = await createTenant();
    await failNextSandboxEmails(env, { status: 500, name: 'application_error', message: 'Resend is having a bad day.' });
    await walletNotice(tenant.accountId, 'recharge.failed', { reason: 'Your card was declined.' });
    expect((await notices(tenant.token))[0].email).toEqual({ status: 'pending', to: [], error: 'application_error: Resend is having a bad day.' });
    expect(await sandboxEmails(env, { to: tenant.email })).toEqual([]);

    // Not before its back-off; then sent.
    expect((await deliverNoticeEmails(env, { accountId: tenant.accountId })).sent).toBe(0);
    expect((await deliverNoticeEmails(env, { accountId: tenant.accountId, now: Date.now() + 2 * 60_000 })).sent).toBe(1);
    const mails = await sandboxEmails(env, { to: tenant.email });
    expect(mails.map((m) => m.subject)).toEqual(['Test Co: auto-recharge failed']);
    expect((await notices(tenant.token))[0].email).toEqual({ status: 'sent', to: [tenant.email], error: null });

    // The same notice sent again (a lost answer, a second deliverer) is the same email.
    const again = await sendEmail(
      env,
      { from: 'x@mail.edge-crm.dev', to: [tenant.email], subject: 'Once', text: 'once', html: '<p>once</p>' },
      'notice:replay-test',
    );
    expect(
      (await sendEmail(env, { from: 'x@mail.edge-crm.dev', to: [tenant.email], subject: 'Once', text: 'once', html: '<p>once</p>' }, 'notice:replay-test')).id,
    ).toBe(again.id);
    expect((await sandboxEmails(env, { to: tenant.email })).filter((m) => m.subject === 'Once')).toHaveLength(1);

    // A refusal is not retried.
    await failNextSandboxEmails(env, { status: 422, name: 'validation_error', message: 'The to address is on the suppression list.' });
    await walletNotice(tenant.accountId, 'wallet.low_balance', { balance_micros: 0, threshold_micros: 5_000_000 });
    expect((await notices(tenant.token))[0].email).toMatchObject({ status: 'failed', error: 'validation_error: The to address is on the suppression list.' });

    // An earlier attempt that went out but whose answer was lost (Resend now refuses the key with another body): counted as sent, not sent twice.
    const lost = await createTenant();
    await env.DB.prepare(
      "INSERT INTO notifications (id, account_id, kind, message, dedupe_key, created_at, email_status, email_next_at) VALUES (?, ?, 'wallet.low_balance', 'Low.', ?, ?, 'pending', ?)",
    )
      .bind('ntf_lost_answer', lost.accountId, `test:${crypto.randomUUID()}`, Date.now(), Date.now())
      .run();
    await sendEmail(
      env,
      { from: 'x@mail.edge-crm.dev', to: [lost.email], subject: 'Earlier wording', text: 'earlier', html: '<p>earlier</p>' },
      'notice:ntf_lost_answer',
    );
    expect((await deliverNoticeEmails(env, { accountId: lost.accountId })).sent).toBe(1);
    expect((await sandboxEmails(env, { to: lost.email })).map((m) => m.subject)).toEqual(['Earlier wording']);
    expect((await notices(lost.token))[0].email).toMatchObject({ status: 'sent', error: 'Sent by an earlier attempt whose answer was lost.' });

    const agency = await createTenant({ agency: true });
    const client = (await agency.api<SubAccount>('POST', '/api/agency/sub-accounts', { name: 'No users yet' })).body;
    await walletNotice(client.id, 'wallet.low_balance', { balance_micros: 0, threshold_micros: 5_000_000 });
    const row = await env.DB.prepare('SELECT email_status FROM notifications WHERE account_id = ?').bind(client.id).first<{ email_status: string }>();
    expect(row?.email_status).toBe('no_recipient');
  });
});
