import type { PublicBranding } from '../agency/branding/branding.schemas';
import { brandingAgencyOf, brandingForAgency, PLATFORM_BRANDING } from '../agency/branding/branding.service';
import { queryFirst } from '../platform/db';
import { sendEmail } from './resend.client';

/**
 * The one layout of every email the product sends to its users, in the
 * brand they know: an agency's clients (and the agency itself) see the
 * agency's app name, logo, colour and support address, and links to its
 * domain; a plain business sees the platform's.
 */

export interface EmailBrand {
  branding: PublicBranding;
  /** Where the app is served for this account (its agency's custom domain, or the platform's). */
  origin: string;
}

/** The brand and app address of an account's emails (the platform's for no account). */
export async function emailBrandOf(env: Env, accountId: string | null, now = Date.now()): Promise<EmailBrand> {
  const agencyId = accountId ? await brandingAgencyOf(env.DB, accountId) : null;
  const branding = agencyId ? (await brandingForAgency(env, agencyId, now)).branding : PLATFORM_BRANDING.branding;
  const domain =
    agencyId && branding.source === 'agency'
      ? (await queryFirst<{ custom_domain: string | null }>(env.DB, 'SELECT custom_domain FROM agencies WHERE id = ?', agencyId))?.custom_domain
      : null;
  return { branding, origin: domain ? `https://${domain}` : env.APP_URL.replace(/\/$/, '') };
}

export interface EmailContent {
  subject: string;
  heading: string;
  paragraphs: string[];
  /** The one thing the email asks the reader to do; `path` is inside the app. */
  action: { label: string; path: string };
  /** Why the reader gets this email. */
  footer: string;
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch] as string);

/** A display name safe inside `"Name" <address>`. */
const displayName = (name: string) => name.replace(/["<>\\\r\n]/g, '').trim() || 'Notifications';

/** Subject, sender, HTML and plain text of one email in `brand`. */
export function brandedEmail(content: EmailContent, brand: EmailBrand, fromAddress: string) {
  const { branding } = brand;
  const app = branding.app_name;
  const color = branding.primary_color ?? '#4f46e5';
  const actionUrl = `${brand.origin}${content.action.path}`;
  const logo = branding.logo_light_url ? `${brand.origin}${branding.logo_light_url}` : null;
  const support = branding.support_email;

  const text = [
    content.heading,
    '',
    ...content.paragraphs.flatMap((p) => [p, '']),
    `${content.action.label}: ${actionUrl}`,
    '',
    '--',
    content.footer,
    support ? `Questions? Write to ${support}.` : '',
  ]
    .filter((line, i, all) => !(line === '' && all[i - 1] === ''))
    .join('\n')
    .trim();

  const paragraphs = content.paragraphs.map((p) => `<p style="margin:0 0 16px;font-size:15px;line-height:1.55">${escapeHtml(p)}</p>`).join('\n');
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(content.heading)}</title></head>
<body style="margin:0;padding:0;background:#f4f5f7;font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;color:#1f2937">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f4f5f7;padding:24px 0"><tr><td align="center">
<table role="presentation" width="560" cellpadding="0" cellspacing="0" style="max-width:560px;width:100%;background:#ffffff;border-radius:10px;overflow:hidden;border:1px solid #e5e7eb">
<tr><td style="padding:20px 28px;border-top:4px solid ${color}">${
    logo
      ? `<img src="${escapeHtml(logo)}" alt="${escapeHtml(app)}" height="32" style="display:block;height:32px;max-width:200px">`
      : `<span style="font-size:18px;font-weight:700;color:${color}">${escapeHtml(app)}</span>`
  }</td></tr>
<tr><td style="padding:4px 28px 8px"><h1 style="margin:0 0 12px;font-size:20px;line-height:1.3">${escapeHtml(content.heading)}</h1>
${paragraphs}
<a href="${escapeHtml(actionUrl)}" style="display:inline-block;margin-top:4px;background:${color};color:#ffffff;text-decoration:none;font-weight:600;font-size:15px;padding:11px 20px;border-radius:6px">${escapeHtml(content.action.label)}</a></td></tr>
<tr><td style="padding:24px 28px 24px;font-size:12.5px;line-height:1.5;color:#6b7280">${escapeHtml(content.footer)}${
    support ? `<br>Questions? Write to <a href="mailto:${escapeHtml(support)}" style="color:${color}">${escapeHtml(support)}</a>.` : ''
  }</td></tr>
</table></td></tr></table></body></html>`;

  return {
    from: `"${displayName(app)}" <${fromAddress}>`,
    subject: content.subject,
    html,
    text,
    reply_to: support ? [support] : undefined,
  };
}

/** Who an email goes to, what it is (a tag on it), and the key that makes a retried send deliver once. */
export interface BrandedDelivery {
  to: string[];
  tag: string;
  idempotencyKey: string;
  /** Our id for what the email is about, as the X-Entity-Ref-ID header (keeps mail clients from threading unrelated emails). */
  refId?: string;
}

/** Renders `content` in `brand` and sends it through Resend. */
export async function sendBrandedEmail(env: Env, brand: EmailBrand, content: EmailContent, delivery: BrandedDelivery): Promise<{ id: string }> {
  const email = brandedEmail(content, brand, env.EMAIL_FROM_ADDRESS);
  return sendEmail(
    env,
    {
      ...email,
      to: delivery.to,
      ...(delivery.refId ? { headers: { 'X-Entity-Ref-ID': delivery.refId } } : {}),
      tags: [{ name: 'email', value: delivery.tag }],
    },
    delivery.idempotencyKey,
  );
}
