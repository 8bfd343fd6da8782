import type { PublicBranding } from '../agency/branding/branding.schemas';

/**
 * The email of one account notice, in the account's branding: an agency's
 * clients (and the agency itself) see the agency's app name, logo, colour
 * and support address; a plain business sees the platform's.
 */

/** Notices that also go out by email, and the one thing each asks the reader to do. */
export const EMAILED_NOTICES: Record<string, { subject: (account: string) => string; heading: string; action: { label: string; path: string } }> = {
  'billing.payment_warning': {
    subject: (account) => `Payment failed for ${account}: please update your card`,
    heading: 'Your payment did not go through',
    action: { label: 'Update your card', path: '/billing' },
  },
  'wallet.low_balance': {
    subject: (account) => `${account}: your wallet balance is low`,
    heading: 'Your wallet is running low',
    action: { label: 'Add funds', path: '/wallet' },
  },
  'recharge.failed': {
    subject: (account) => `${account}: auto-recharge failed`,
    heading: 'Auto-recharge could not charge your card',
    action: { label: 'Update your card', path: '/wallet' },
  },
};

export function isEmailedNotice(kind: string): boolean {
  return Object.hasOwn(EMAILED_NOTICES, kind);
}

export interface NoticeEmailInput {
  kind: string;
  message: string;
  accountName: string;
  branding: PublicBranding;
  /** Where the app is served for this account (its agency's custom domain, or the platform's). */
  origin: string;
}

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch] as string);

/** A display name safe inside `"Name" <address>`. */
const displayName = (name: string) => name.replace(/["<>\\\r\n]/g, '').trim() || 'Notifications';

export function noticeEmail(input: NoticeEmailInput, fromAddress: string) {
  const template = EMAILED_NOTICES[input.kind];
  if (!template) throw new Error(`Notice ${input.kind} is not sent by email.`);
  const { branding } = input;
  const app = branding.app_name;
  const color = branding.primary_color ?? '#4f46e5';
  const actionUrl = `${input.origin}${template.action.path}`;
  const logo = branding.logo_light_url ? `${input.origin}${branding.logo_light_url}` : null;
  const support = branding.support_email;
  const footer = `You get this email as an owner or admin of ${input.accountName} on ${app}.`;

  const text = [
    template.heading,
    '',
    input.message,
    '',
    `${template.action.label}: ${actionUrl}`,
    '',
    '--',
    footer,
    support ? `Questions? Write to ${support}.` : '',
  ]
    .filter((line, i, all) => !(line === '' && all[i - 1] === ''))
    .join('\n')
    .trim();

  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(template.heading)}</title></head>
<body style="margin:0;padding:0;background:#f4f5f7;font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;color:#1f2937">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f4f5f7;padding:24px 0"><tr><td align="center">
<table role="presentation" width="560" cellpadding="0" cellspacing="0" style="max-width:560px;width:100%;background:#ffffff;border-radius:10px;overflow:hidden;border:1px solid #e5e7eb">
<tr><td style="padding:20px 28px;border-top:4px solid ${color}">${
    logo
      ? `<img src="${escapeHtml(logo)}" alt="${escapeHtml(app)}" height="32" style="display:block;height:32px;max-width:200px">`
      : `<span style="font-size:18px;font-weight:700;color:${color}">${escapeHtml(app)}</span>`
  }</td></tr>
<tr><td style="padding:4px 28px 8px"><h1 style="margin:0 0 12px;font-size:20px;line-height:1.3">${escapeHtml(template.heading)}</h1>
<p style="margin:0 0 20px;font-size:15px;line-height:1.55">${escapeHtml(input.message)}</p>
<a href="${escapeHtml(actionUrl)}" style="display:inline-block;background:${color};color:#ffffff;text-decoration:none;font-weight:600;font-size:15px;padding:11px 20px;border-radius:6px">${escapeHtml(template.action.label)}</a></td></tr>
<tr><td style="padding:24px 28px 24px;font-size:12.5px;line-height:1.5;color:#6b7280">${escapeHtml(footer)}${
    support ? `<br>Questions? Write to <a href="mailto:${escapeHtml(support)}" style="color:${color}">${escapeHtml(support)}</a>.` : ''
  }</td></tr>
</table></td></tr></table></body></html>`;

  return {
    from: `"${displayName(app)}" <${fromAddress}>`,
    subject: template.subject(input.accountName),
    html,
    text,
    reply_to: support ? [support] : undefined,
  };
}
