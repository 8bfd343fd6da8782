import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';

/**
 * Normalizes a phone number to E.164 with libphonenumber; numbers without a
 * country code are read as `defaultCountry`. Null when it is not a valid number.
 *
 * @example toE164('(415) 555-0132') // "+14155550132"
 */
export function toE164(raw: string, defaultCountry: CountryCode = 'US'): string | null {
  const parsed = parsePhoneNumberFromString(raw, defaultCountry);
  if (!parsed?.isValid()) return null;
  return parsed.number;
}

/** Candidate E.164 prefixes for what a user typed into search ("415 55" -> "+141555", "+4420" -> "+4420"). */
export function phoneSearchPrefixes(query: string, defaultCallingCode = '1'): string[] {
  const digits = query.replace(/[^\d]/g, '');
  if (digits.length < 3) return [];
  if (query.trim().startsWith('+')) return [`+${digits}`];
  const prefixes = [`+${defaultCallingCode}${digits}`, `+${digits}`];
  return [...new Set(prefixes)];
}
