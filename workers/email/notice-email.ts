import { brandedEmail, type EmailBrand, type EmailContent } from './branded-email';

/** Account notices that also go out by email (in the account's brand), and the one thing each asks the reader to do. */
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
  'recharge.limit_reached': {
    subject: (account) => `${account}: auto-recharge reached its daily limit`,
    heading: 'Auto-recharge paused until tomorrow',
    action: { label: 'Open your wallet', path: '/wallet' },
  },
  'domain.claim_released': {
    subject: (account) => `${account}: your custom domain claim was released`,
    heading: 'Your custom domain claim was released',
    action: { label: 'Set up your domain', path: '/agency/domain' },
  },
};

export function isEmailedNotice(kind: string): boolean {
  return Object.hasOwn(EMAILED_NOTICES, kind);
}

export interface NoticeEmailInput {
  kind: string;
  message: string;
  accountName: string;
}

/** The email of one account notice, in the account's brand. */
export function noticeEmail(input: NoticeEmailInput, brand: EmailBrand, fromAddress: string) {
  const template = EMAILED_NOTICES[input.kind];
  if (!template) throw new Error(`Notice ${input.kind} is not sent by email.`);
  const content: EmailContent = {
    subject: template.subject(input.accountName),
    heading: template.heading,
    paragraphs: [input.message],
    action: template.action,
    footer: `You get this email as an owner or admin of ${input.accountName} on ${brand.branding.app_name}.`,
  };
  return brandedEmail(content, brand, fromAddress);
}
