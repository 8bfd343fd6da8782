import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { SandboxEmail } from '../../workers/sandbox/resend/resend.do';
import { failNextSandboxEmails, sandboxEmails } from '../../workers/sandbox/resend/resend.controls';
import { brandedAgencyWithClient, call, createTenant, present, uniqueEmail } from '../factories';
import type { AuthResult, InvalidInput, InvitationSent, Page, PasswordResetDone, Problem, TeamMember } from '../api-types';

const invitations = async (to: string) => (await sandboxEmails(env, { to })).filter((m) => m.tags.some((t) => t.value === 'invitation'));

const linkOf = (mail: SandboxEmail) => {
  const match = /\/accept-invite#token=([\w-]+)/.exec(mail.text ?? '');
  if (!match) throw new Error('no invitation link in the email');
  return match[1];
};

const accept = <T = PasswordResetDone>(token: string, password: string) => call<T>('POST', '/api/auth/password-reset/confirm', { body: { token, password } });
const login = (email: string, password: string) => call<AuthResult>('POST', '/api/auth/login', { body: { email, password } });

describe('team invitations', () => {
  it('a person added without a password is emailed an invitation, listed as invited, and joins by choosing a password', async () => {
    const owner = await createTenant({ name: 'Harbor' });
    const email = uniqueEmail('newhire');
    const added = await owner.api<TeamMember>('POST', '/api/users', { email, name: 'Nia Newhire', role: 'admin' });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ email, role: 'admin', invited: true, invitation: { email_status: 'sent', error: null } });
    expect(Date.parse(present(added.body.invitation).expires_at) - Date.now()).toBeGreaterThan(6.9 * 24 * 3600 * 1000);
    expect((await owner.api<Page<TeamMember>>('GET', '/api/users')).body.data.find((u: { email: string }) => u.email === email)).toMatchObject({
      invited: true,
    });

    const [mail, ...more] = await invitations(email);
    expect(more).toEqual([]);
    expect(mail).toMatchObject({ to: [email], subject: 'Harbor invited you to Harbor Co on CRM' });
    expect(mail.text).toContain('Hi Nia Newhire, Harbor added you to Harbor Co on CRM as an admin.');
    expect(mail.text).toContain('Accept the invitation: http://localhost:8787/accept-invite#token=');
    // Nobody knows the password of an invited person.
    for (const guess of ['', 'password', email]) expect((await login(email, guess || 'x')).status).toBe(401);

    const token = linkOf(mail);
    expect((await accept(token, 'nia-chose-this-1')).status).toBe(200);
    const signedIn = await login(email, 'nia-chose-this-1');
    expect(signedIn.status).toBe(200);
    expect(signedIn.body.account.id).toBe(owner.accountId);
    expect((await owner.api<Page<TeamMember>>('GET', '/api/users')).body.data.find((u: { email: string }) => u.email === email)).toMatchObject({
      invited: false,
    });
    expect((await accept<InvalidInput>(token, 'someone-else-1')).body.errors[0].message).toContain('already used');
    // Joining is not a password change to warn about.
    expect((await sandboxEmails(env, { to: email })).map((m) => m.subject)).toEqual(['Harbor invited you to Harbor Co on CRM']);
    // With a password of their own, there is nothing to send again.
    const resend = await owner.api<Problem>('POST', `/api/users/${added.body.id}/invitation`);
    expect(resend.status).toBe(409);
    expect(resend.body.detail).toContain('already chose a password');
  });

  it('a first password given by the admin still works as before, and sends nothing', async () => {
    const owner = await createTenant();
    const email = uniqueEmail('withpassword');
    const added = await owner.api<TeamMember>('POST', '/api/users', { email, name: 'Pat', role: 'member', password: 'first-password-1' });
    expect(added.body).toMatchObject({ invited: false });
    expect(added.body.invitation).toBeUndefined();
    expect((await login(email, 'first-password-1')).status).toBe(200);
    expect(await invitations(email)).toEqual([]);
  });

  // Someone who already has a login is invited to join instead: team-invitations.test.ts.

  it("an agency inviting its client's owner sends the invitation in the agency's brand", async () => {
    const { agency, client } = await brandedAgencyWithClient();
    const dentist = uniqueEmail('dentist');
    const added = await agency.api<TeamMember>('POST', `/api/agency/sub-accounts/${client.id}/users`, { email: dentist, name: 'Dana', role: 'owner' });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ invited: true, invitation: { email_status: 'sent' } });
    const [mail] = await invitations(dentist);
    expect(mail).toMatchObject({
      from: '"Bright CRM" <notifications@mail.edge-crm.dev>',
      subject: 'Bright invited you to Harbor Dental on Bright CRM',
      reply_to: ['help@brightagency.com'],
    });
    expect(mail.text).toContain('as an owner.');
    expect((await accept(linkOf(mail), 'dentist-password-1')).status).toBe(200);
    expect((await login(dentist, 'dentist-password-1')).body.account.id).toBe(client.id);
  });

  it('an invitation the ESP could not take still adds the person, says why, and can be sent again; only admins of the account may', async () => {
    const owner = await createTenant();
    const email = uniqueEmail('unlucky');
    await failNextSandboxEmails(env, { status: 500, name: 'application_error', message: 'Resend is having a bad day.' });
    const added = await owner.api<TeamMember>('POST', '/api/users', { email, name: 'Una', role: 'member' });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ invited: true, invitation: { email_status: 'failed', error: expect.stringContaining('Resend is having a bad day.') } });
    expect(await invitations(email)).toEqual([]);

    const again = await owner.api<InvitationSent>('POST', `/api/users/${added.body.id}/invitation`);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ email_status: 'sent', error: null });
    const [mail] = await invitations(email);
    expect((await accept(linkOf(mail), 'una-password-01')).status).toBe(200);

    // Another account's admin gets a 404; a member, 403.
    const other = await createTenant();
    const stranger = (await owner.api<TeamMember>('POST', '/api/users', { email: uniqueEmail('pending'), name: 'Pending', role: 'member' })).body;
    expect((await other.api<InvitationSent>('POST', `/api/users/${stranger.id}/invitation`)).status).toBe(404);
    const member = await login(email, 'una-password-01');
    expect((await call<InvitationSent>('POST', `/api/users/${stranger.id}/invitation`, { token: member.body.token })).status).toBe(403);
    for (let i = 0; i < 5; i++) expect((await owner.api<InvitationSent>('POST', `/api/users/${stranger.id}/invitation`)).status).toBe(200);
    expect((await owner.api<InvitationSent>('POST', `/api/users/${stranger.id}/invitation`)).status).toBe(429);
  });

  it('an expired invitation says so and points to a new one', async () => {
    const owner = await createTenant();
    const email = uniqueEmail('late');
    const added = await owner.api<TeamMember>('POST', '/api/users', { email, name: 'Lee', role: 'member' });
    const [mail] = await invitations(email);
    await env.DB.prepare('UPDATE password_resets SET expires_at = ? WHERE user_id = ?')
      .bind(Date.now() - 1, added.body.id)
      .run();
    const late = await accept<InvalidInput>(linkOf(mail), 'lee-password-01');
    expect(late.status).toBe(422);
    expect(late.body.errors).toEqual([{ field: 'token', message: expect.stringContaining('invitations work for 7 days') }]);
    expect((await owner.api<Page<TeamMember>>('GET', '/api/users')).body.data.find((u: { email: string }) => u.email === email)).toMatchObject({
      invited: true,
    });
  });
});
