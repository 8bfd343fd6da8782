/**
 * Stripe's test payment methods and how each behaves. The same card can be
 * named three ways — a PaymentMethod token (`pm_card_visa`), a card token
 * (`tok_visa`) or the card number — and each use of a token mints a new
 * PaymentMethod, as on Stripe. A saved card's behaviour is found again from
 * its fingerprint.
 */

export type CardBehavior =
  /** Attaches and charges fine. */
  | 'succeed'
  /** Declined everywhere, including when attached or set up (4000 0000 0000 0002). */
  | 'decline'
  /** Attaches and sets up fine; every charge is declined (4000 0000 0000 0341). */
  | 'decline_on_charge'
  /** Every payment and setup needs 3D Secure; off-session payments are declined (4000 0027 6000 3184). */
  | 'authentication_required';

export interface TestCard {
  number: string;
  brand: 'visa' | 'mastercard' | 'amex' | 'discover';
  funding: 'credit' | 'debit' | 'prepaid';
  behavior: CardBehavior;
  /** Stripe's code and decline code when the card is declined. */
  decline?: { code: string; declineCode?: string; message: string };
}

const GENERIC_DECLINE = { code: 'card_declined', declineCode: 'generic_decline', message: 'Your card was declined.' };

const CARDS: Record<string, TestCard> = {
  visa: { number: '4242424242424242', brand: 'visa', funding: 'credit', behavior: 'succeed' },
  visa_debit: { number: '4000056655665556', brand: 'visa', funding: 'debit', behavior: 'succeed' },
  mastercard: { number: '5555555555554444', brand: 'mastercard', funding: 'credit', behavior: 'succeed' },
  mastercard_debit: { number: '5200828282828210', brand: 'mastercard', funding: 'debit', behavior: 'succeed' },
  amex: { number: '378282246310005', brand: 'amex', funding: 'credit', behavior: 'succeed' },
  discover: { number: '6011111111111117', brand: 'discover', funding: 'credit', behavior: 'succeed' },
  chargeDeclined: { number: '4000000000000002', brand: 'visa', funding: 'credit', behavior: 'decline', decline: GENERIC_DECLINE },
  chargeDeclinedInsufficientFunds: {
    number: '4000000000009995',
    brand: 'visa',
    funding: 'credit',
    behavior: 'decline',
    decline: { code: 'card_declined', declineCode: 'insufficient_funds', message: 'Your card has insufficient funds.' },
  },
  chargeDeclinedExpiredCard: {
    number: '4000000000000069',
    brand: 'visa',
    funding: 'credit',
    behavior: 'decline',
    decline: { code: 'expired_card', message: 'Your card has expired.' },
  },
  chargeCustomerFail: { number: '4000000000000341', brand: 'visa', funding: 'credit', behavior: 'decline_on_charge', decline: GENERIC_DECLINE },
  authenticationRequired: {
    number: '4000002760003184',
    brand: 'visa',
    funding: 'credit',
    behavior: 'authentication_required',
    decline: {
      code: 'authentication_required',
      declineCode: 'authentication_required',
      message: 'Your card was declined. This transaction requires authentication.',
    },
  },
};

/** `pm_card_visa`, `tok_visa` or `4242424242424242` → the test card, or null. */
export function testCardFor(reference: string): TestCard | null {
  const token = /^(?:pm_card_|tok_)([A-Za-z_]+)$/.exec(reference);
  if (token) return CARDS[token[1]] ?? null;
  const digits = reference.replace(/[\s-]/g, '');
  return Object.values(CARDS).find((c) => c.number === digits) ?? null;
}

export function isTestToken(reference: string): boolean {
  return /^(?:pm_card_|tok_)/.test(reference);
}

/** A stable 16-character fingerprint per card number, as Stripe gives one card the same fingerprint everywhere. */
export function fingerprintOf(number: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  let out = '';
  for (let round = 0; out.length < 16; round++) {
    for (const ch of `${number}:${round}`) {
      h1 = Math.imul(h1 ^ ch.charCodeAt(0), 16777619) >>> 0;
      h2 = Math.imul(h2 + ch.charCodeAt(0), 2246822519) >>> 0;
    }
    out += alphabet[h1 % 62] + alphabet[h2 % 62];
  }
  return out.slice(0, 16);
}

export function cardByFingerprint(fingerprint: string): TestCard | null {
  return Object.values(CARDS).find((c) => fingerprintOf(c.number) === fingerprint) ?? null;
}
