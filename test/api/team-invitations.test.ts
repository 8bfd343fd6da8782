import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { SandboxEmail } from '../../workers/sandbox/resend/resend.do';
import { sandboxEmails } from '../../workers/sandbox/resend/resend.controls';
import { call, createTenant, type Tenant } from '../factories';
import type { AcceptedInvitation, AuthResult, InvalidInput, InvitationSent, Me, Page, PasswordResetRequested, SubAccount, TeamMember } from '../api-types';

const joinInvitations = async (to: string): Promise<SandboxEmail[]> =>
  (await sandboxEmails(env, { to })).filter((m) => m.tags.some((t) => t.value === 'invitation') && /\/join-account#token=/.test(m.text ?? ''));

const joinTokenOf = (mail: SandboxEmail) => {
  const match = /\/join-account#token=([\w-]+)/.exec(mail.text ?? '');
  if (!match) throw new Error('no join link in the email');
  return match[1];
};

const acceptJoin = <T = AcceptedInvitation>(token: string) => call<T>('POST', '/api/auth/invitations/accept', { body: { token } });
const login = (person: Tenant, accountId?: string) =>
  call<AuthResult>('POST', '/api/auth/login', { body: { email: person.email, password: person.password, ...(accountId ? { account_id: accountId } : {}) } });

describe('adding someone who already has a login is an invitation they accept', () => {
  it('the inviter sees only "invited" and what they typed; the person is no member until they accept, and sign-in never lands them there before', async () => {
    const attacker = await createTenant({ agency: true, name: 'Mallory' });
    const victim = await createTenant({ name: 'Victoria Realname' });

    const added = await attacker.api<TeamMember>('POST', '/api/users', { email: victim.email, name: 'Whoever', role: 'owner' });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ email: victim.email, name: 'Whoever', role: 'owner', invited: true, invitation: { email_status: 'sent', error: null } });
    expect(JSON.stringify(added.body)).not.toContain('Victoria');
    const listed = (await attacker.api<Page<TeamMember>>('GET', '/api/users')).body.data.find((u: { email: string }) => u.email === victim.email);
    expect(listed).toMatchObject({ name: 'Whoever', invited: true });
    expect(JSON.stringify((await attacker.api<Page<TeamMember>>('GET', '/api/users')).body)).not.toContain('Victoria');

    // Not a member: their sign-in lands in their own account, the attacker's cannot be chosen, nor switched into.
    expect((await login(victim)).body.account.id).toBe(victim.accountId);
    expect((await login(victim, attacker.accountId)).status).toBe(401);
    expect((await victim.api<AuthResult>('POST', '/api/auth/token-exchange', { account_id: attacker.accountId })).status).toBe(404);
    expect((await victim.api<Me>('GET', '/api/me')).body.accounts.map((a: { id: string }) => a.id)).toEqual([victim.accountId]);
  });

  it('accepting the emailed link joins the account with the invited role, once; the person signs in to their own account first as before', async () => {
    const owner = await createTenant({ name: 'Harbor' });
    const person = await createTenant({ name: 'Quinn' });
    const added = await owner.api<TeamMember>('POST', '/api/users', { email: person.email, name: 'Quinn', role: 'admin' });
    expect(added.status).toBe(201);

    const [mail, ...more] = await joinInvitations(person.email);
    expect(more).toEqual([]);
    expect(mail.subject).toBe('Harbor invited you to Harbor Co on CRM');
    expect(mail.text).toContain('Accept the invitation: http://localhost:8787/join-account#token=');
    const token = joinTokenOf(mail);

    const accepted = await acceptJoin(token);
    expect(accepted.status).toBe(200);
    expect(accepted.body).toEqual({ account: { id: owner.accountId, name: 'Harbor Co' }, role: 'admin', email: person.email });
    expect((await owner.api<Page<TeamMember>>('GET', '/api/users')).body.data.find((u: { email: string }) => u.email === person.email)).toMatchObject({
      role: 'admin',
      invited: false,
    });
    const inside = await login(person, owner.accountId);
    expect(inside.status).toBe(200);
    expect((await call<Me>('GET', '/api/me', { token: inside.body.token })).body.role).toBe('admin');

    const again = await acceptJoin<InvalidInput>(token);
    expect(again.status).toBe(422);
    expect(again.body.errors).toEqual([{ field: 'token', message: expect.stringContaining('already accepted') }]);
  });

  it('a withdrawn invitation cannot be accepted, a resent one replaces the old link, and a stranger account cannot touch it', async () => {
    const owner = await createTenant();
    const person = await createTenant();
    const added = await owner.api<TeamMember>('POST', '/api/users', { email: person.email, name: 'P', role: 'member' });
    const [first] = await joinInvitations(person.email);

    expect((await owner.api<InvitationSent>('POST', `/api/users/${added.body.id}/invitation`)).body).toMatchObject({ email_status: 'sent' });
    const mails = await joinInvitations(person.email);
    expect(mails).toHaveLength(2);
    const second = mails.find((m) => m.id !== first.id) as SandboxEmail;
    expect((await acceptJoin(joinTokenOf(first))).status).toBe(422);

    const stranger = await createTenant();
    expect((await stranger.api('DELETE', `/api/users/${added.body.id}`)).status).toBe(404);
    expect((await owner.api('DELETE', `/api/users/${added.body.id}`)).status).toBe(204);
    const withdrawn = await acceptJoin<InvalidInput>(joinTokenOf(second));
    expect(withdrawn.status).toBe(422);
    expect(withdrawn.body.errors[0].message).toContain('withdrawn');
    expect((await owner.api<Page<TeamMember>>('GET', '/api/users')).body.data).toHaveLength(1);
  });

  it('inviting the same person from parallel requests sends one invitation; the others are told they are invited', async () => {
    const owner = await createTenant();
    const person = await createTenant();
    const replies = await Promise.all(
      Array.from({ length: 4 }, () => owner.api<TeamMember>('POST', '/api/users', { email: person.email, name: 'P', role: 'member' })),
    );
    expect(replies.map((r) => r.status).sort()).toEqual([201, 409, 409, 409]);
    expect(await joinInvitations(person.email)).toHaveLength(1);
  });

  it('an agency adding a registered person to its client account goes through the same invitation', async () => {
    const agency = await createTenant({ agency: true, name: 'Bright' });
    const client = (await agency.api<SubAccount>('POST', '/api/agency/sub-accounts', { name: 'Harbor Dental' })).body;
    const person = await createTenant({ name: 'Dana Private' });
    const added = await agency.api<TeamMember>('POST', `/api/agency/sub-accounts/${client.id}/users`, { email: person.email, name: 'Dana', role: 'owner' });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ invited: true, name: 'Dana' });
    expect((await login(person, client.id)).status).toBe(401);

    const [mail] = await joinInvitations(person.email);
    expect((await acceptJoin(joinTokenOf(mail))).body).toMatchObject({ account: { id: client.id }, role: 'owner' });
    expect((await login(person, client.id)).status).toBe(200);
  });
});

describe("an invitation is worth no more than its sender's rights", () => {
  it('an admin who invited someone as admin and was then removed: the invitation lapses with them', async () => {
    const owner = await createTenant();
    const adminEmail = `admin.${crypto.randomUUID().slice(0, 8)}@example.com`;
    expect((await owner.api<TeamMember>('POST', '/api/users', { email: adminEmail, name: 'Ari', role: 'admin', password: 'admin-password-1' })).status).toBe(
      201,
    );
    const adminLogin = await call<AuthResult>('POST', '/api/auth/login', { body: { email: adminEmail, password: 'admin-password-1' } });
    const friend = await createTenant();
    const invited = await call<TeamMember>('POST', '/api/users', {
      token: adminLogin.body.token,
      body: { email: friend.email, name: 'Friend', role: 'admin' },
    });
    expect(invited.status).toBe(201);
    const [mail] = await joinInvitations(friend.email);

    expect((await owner.api('DELETE', `/api/users/${adminLogin.body.user.id}`)).status).toBe(204);
    const lapsed = await acceptJoin<InvalidInput>(joinTokenOf(mail));
    expect(lapsed.status).toBe(422);
    expect(lapsed.body.errors[0].message).toContain('no longer valid');
    expect((await login(friend, owner.accountId)).status).toBe(401);

    // The owner sends it again, and vouches for it from then on.
    expect((await owner.api<InvitationSent>('POST', `/api/users/${invited.body.id}/invitation`)).status).toBe(200);
    const fresh = (await joinInvitations(friend.email)).find((m) => m.id !== mail.id) as SandboxEmail;
    expect((await acceptJoin(joinTokenOf(fresh))).status).toBe(200);
    expect((await login(friend, owner.accountId)).status).toBe(200);
  });
});

describe('a person invited before they ever signed up', () => {
  it('asking for a password reset gets them the invitation, naming the account it joins, not a plain reset into it', async () => {
    const inviter = await createTenant({ agency: true, name: 'Mallory' });
    const email = `newcomer.${crypto.randomUUID().slice(0, 8)}@example.com`;
    expect((await inviter.api<TeamMember>('POST', '/api/users', { email, name: 'Newcomer', role: 'member' })).status).toBe(201);

    expect((await call<PasswordResetRequested>('POST', '/api/auth/password-reset', { body: { email } })).status).toBe(202);
    let mails: SandboxEmail[] = [];
    for (let i = 0; i < 100 && mails.length < 2; i++) {
      mails = (await sandboxEmails(env, { to: email })).filter((m) => m.tags.some((t) => t.value === 'invitation'));
      if (mails.length < 2) await new Promise((r) => setTimeout(r, 50));
    }
    const fromReset = mails.find((m) => m.subject.startsWith('Finish joining')) as SandboxEmail;
    expect(fromReset.subject).toBe('Finish joining Mallory Co on CRM');
    expect(fromReset.text).toContain('Choosing a password joins Mallory Co.');
    expect(fromReset.text).toContain('/accept-invite#token=');
    expect((await sandboxEmails(env, { to: email })).filter((m) => m.tags.some((t) => t.value === 'password_reset'))).toEqual([]);
  });
});
