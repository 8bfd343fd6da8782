import { z } from '@hono/zod-openapi';
import type { FieldError } from '../../platform/errors';
import { formatUsd, parseUsd } from '../../platform/money';
import { textProblem, toNfc, truncateText } from '../../platform/text';
import { toE164 } from '../contacts/phone';
import type { CustomFieldRow } from './custom-fields.service';

/** A value ready to store: canonical JSON and the scalar key equality filters use. */
export interface StoredValue {
  value: string;
  valueKey: string | null;
}

const emailValue = z.string().trim().toLowerCase().email().max(254);
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

function isRealDate(value: string): boolean {
  if (!ISO_DATE.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

/**
 * Validates one custom field value against its definition and returns the
 * stored form, or a message saying what is wrong.
 */
export function toStoredValue(field: CustomFieldRow, rawInput: unknown): StoredValue | string {
  const options: string[] = JSON.parse(field.options);
  // Text is compared and stored in NFC, like every other text input (platform/text.ts).
  const raw = typeof rawInput === 'string' ? toNfc(rawInput) : Array.isArray(rawInput) ? rawInput.map((v) => (typeof v === 'string' ? toNfc(v) : v)) : rawInput;
  switch (field.type) {
    case 'text': {
      if (typeof raw !== 'string' || raw.length > 5000) return 'Expected text of at most 5000 characters.';
      const problem = textProblem(raw, { multiline: true });
      if (problem) return problem;
      return { value: JSON.stringify(raw), valueKey: textFilterKey(raw) };
    }
    case 'number': {
      if (typeof raw !== 'number' || !Number.isFinite(raw)) return 'Expected a number.';
      return { value: JSON.stringify(raw), valueKey: String(raw) };
    }
    case 'date':
      if (typeof raw !== 'string' || !isRealDate(raw)) return 'Expected a date as YYYY-MM-DD.';
      return { value: JSON.stringify(raw), valueKey: raw };
    case 'single_option':
      if (typeof raw !== 'string' || !options.includes(raw)) return `Expected one of: ${options.join(', ')}.`;
      return { value: JSON.stringify(raw), valueKey: raw };
    case 'multi_option': {
      if (!Array.isArray(raw) || raw.some((v) => typeof v !== 'string' || !options.includes(v))) {
        return `Expected a list drawn from: ${options.join(', ')}.`;
      }
      const unique = [...new Set(raw as string[])];
      return { value: JSON.stringify(unique), valueKey: null };
    }
    case 'checkbox':
      if (typeof raw !== 'boolean') return 'Expected true or false.';
      return { value: JSON.stringify(raw), valueKey: String(raw) };
    case 'phone': {
      const e164 = typeof raw === 'string' ? toE164(raw) : null;
      if (!e164) return 'Expected a valid phone number.';
      return { value: JSON.stringify(e164), valueKey: e164 };
    }
    case 'email': {
      const parsed = emailValue.safeParse(raw);
      if (!parsed.success) return 'Expected a valid email address.';
      return { value: JSON.stringify(parsed.data), valueKey: parsed.data };
    }
    case 'monetary': {
      if (typeof raw !== 'string') return 'Expected an amount as a decimal string, e.g. "1250.00".';
      try {
        const micros = parseUsd(raw);
        return { value: String(micros), valueKey: String(micros) };
      } catch {
        return 'Expected an amount as a decimal string, e.g. "1250.00".';
      }
    }
  }
}

/** The API form of a stored value (money back to a decimal string). */
export function fromStoredValue(type: string, value: string): unknown {
  const parsed: unknown = JSON.parse(value);
  if (type === 'monetary' && typeof parsed === 'number') return formatUsd(parsed);
  return parsed;
}

/** Text values are filtered on their first 200 characters, cut where a character ends. */
const textFilterKey = (value: string) => truncateText(toNfc(value), 200);

/** The key a filter value is compared with, for `cf.<key>=<value>` list filters. */
export function filterKey(field: CustomFieldRow, raw: string): string | null {
  if (field.type === 'monetary') {
    try {
      return String(parseUsd(raw));
    } catch {
      return null;
    }
  }
  if (field.type === 'number') return Number.isFinite(Number(raw)) ? String(Number(raw)) : null;
  if (field.type === 'phone') return toE164(raw);
  if (field.type === 'email') return raw.trim().toLowerCase();
  if (field.type === 'text') return textFilterKey(raw);
  return toNfc(raw);
}

/**
 * Validates a `custom_fields` object against the account's definitions (by
 * key). Null removes a value. Returns the values to write and field errors.
 */
export function validateCustomFields(
  definitions: Map<string, CustomFieldRow>,
  input: Record<string, unknown>,
): { writes: Array<{ field: CustomFieldRow; stored: StoredValue | null }>; errors: FieldError[] } {
  const writes: Array<{ field: CustomFieldRow; stored: StoredValue | null }> = [];
  const errors: FieldError[] = [];
  for (const [key, raw] of Object.entries(input)) {
    const field = definitions.get(key);
    if (!field) {
      errors.push({ field: `custom_fields.${key}`, message: 'No custom field has this key.', code: 'unknown_field' });
      continue;
    }
    if (raw === null) {
      writes.push({ field, stored: null });
      continue;
    }
    const stored = toStoredValue(field, raw);
    if (typeof stored === 'string') errors.push({ field: `custom_fields.${key}`, message: stored, code: 'invalid_value' });
    else writes.push({ field, stored });
  }
  return { writes, errors };
}
