import { z } from '@hono/zod-openapi';

/**
 * Free text people type (names, notes, labels) goes through `text()`, so
 * what is stored can be shown, searched, exported and emailed anywhere:
 *
 * - NUL and the other control characters are refused (they truncate strings
 *   in C libraries, break CSV and PDF output, and hide text on screen); a
 *   multi-line field still takes tab, newline and carriage return.
 * - Lone UTF-16 surrogates (half of an emoji, from a truncating client) are
 *   refused: they are not text, and D1 would store them as garbage.
 * - Text is stored in Unicode NFC, so "Zoë" typed with a combining
 *   diaeresis and "Zoë" typed with the precomposed letter are one name (one
 *   tag, one duplicate check).
 * - Single-line text is trimmed first, so a stray newline pasted at the end
 *   of a name is dropped rather than refused.
 *
 * Refusals are ordinary zod issues on the field, so the API answers 422 with
 * the field named. Chain the usual checks after it.
 *
 * @example name: text().min(1).max(120)
 * @example body: text({ multiline: true }).trim().max(20_000).nullable().optional()
 */
export function text(options: { multiline?: boolean } = {}) {
  const base = options.multiline ? z.string() : z.string().trim();
  return base
    .superRefine((value, ctx) => {
      const problem = textProblem(value, options);
      if (problem) ctx.addIssue({ code: 'custom', message: problem, params: { code: 'invalid_text' } });
    })
    .overwrite(toNfc);
}

// C0 controls, DEL and C1 controls; the multi-line variant lets tab, LF and CR through.
const SINGLE_LINE_CONTROL = /[\u0000-\u001f\u007f-\u009f]/u;
const MULTI_LINE_CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/u;
// With the u flag a well-formed surrogate pair is one code point; only a lone half matches.
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * Why `value` cannot be stored as text, or null when it can. For values a
 * zod schema does not describe (custom field values).
 *
 * @example textProblem('a\u0000b') // 'Contains a control character (U+0000), which cannot be stored; remove it.'
 */
export function textProblem(value: string, options: { multiline?: boolean } = {}): string | null {
  if (LONE_SURROGATE.test(value)) return 'Contains a broken character (an unpaired UTF-16 surrogate); send valid Unicode text.';
  const control = (options.multiline ? MULTI_LINE_CONTROL : SINGLE_LINE_CONTROL).exec(value);
  if (control) {
    const code = `U+${control[0].codePointAt(0)?.toString(16).toUpperCase().padStart(4, '0')}`;
    const where = options.multiline || !/[\t\n\r]/.test(control[0]) ? '' : ' (this field is one line)';
    return `Contains a control character (${code})${where}, which cannot be stored; remove it.`;
  }
  return null;
}

/** Unicode NFC; text with lone surrogates is left as it is (it is refused anyway). */
export function toNfc(value: string): string {
  return value.normalize('NFC');
}

/**
 * The first `max` characters of `value` without cutting a surrogate pair in
 * half (`String.slice` counts UTF-16 units and can).
 */
export function truncateText(value: string, max: number): string {
  const cut = value.slice(0, max);
  return /[\ud800-\udbff]$/.test(cut) ? cut.slice(0, -1) : cut;
}
