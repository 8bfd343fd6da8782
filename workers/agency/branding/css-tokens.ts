import { tokenize, tokenTypes as T } from 'css-tree/tokenizer';
import { ident, string, url } from 'css-tree/utils';

/**
 * CSS tokens from css-tree's tokenizer (CSS Syntax Level 3), with their
 * offsets in the whole stylesheet, and the one way the compiled stylesheet
 * writes a token back: escapes decoded and written again so the text holds
 * only name characters, and strings and URLs double-quoted with "<" and ">"
 * escaped, so no token can close the <style> element it is served in.
 */

export { T };

export interface Token {
  type: number;
  /** The token as written in the source. */
  raw: string;
  /** Offset in the whole stylesheet. */
  start: number;
}

/** The tokens of `src` between two offsets (a node's location, so never inside a token). */
export function tokensOf(src: string, from: number, to: number): Token[] {
  const text = src.slice(from, to);
  const out: Token[] = [];
  tokenize(text, (type, start, end) => out.push({ type, raw: text.slice(start, end), start: from + start }));
  return out;
}

export const isBlank = (t: Token | undefined) => t !== undefined && (t.type === T.WhiteSpace || t.type === T.Comment || t.type === T.CDO || t.type === T.CDC);

export function trimBlank(tokens: Token[]): Token[] {
  let a = 0;
  let b = tokens.length;
  while (a < b && isBlank(tokens[a])) a += 1;
  while (b > a && isBlank(tokens[b - 1])) b -= 1;
  return tokens.slice(a, b);
}

/** The decoded name of an ident, function (without "("), at-keyword (without "@") or hash (without "#"). */
export function nameOf(t: Token): string {
  if (t.type === T.Function) return ident.decode(t.raw.slice(0, -1));
  if (t.type === T.AtKeyword || t.type === T.Hash) return ident.decode(t.raw.slice(1));
  return ident.decode(t.raw);
}

/** The decoded text of a string or url token. */
export const stringOf = (t: Token) => (t.type === T.Url ? url.decode(t.raw) : string.decode(t.raw));

/** A string token's closing quote is there (a string may also end at the end of the file). */
export function isClosedString(t: Token): boolean {
  if (t.raw.length < 2 || !t.raw.endsWith(t.raw[0])) return false;
  const backslashes = /\\*$/.exec(t.raw.slice(0, -1))?.[0].length ?? 0;
  return backslashes % 2 === 0;
}

const isDigit = (ch: string | undefined) => ch !== undefined && ch >= '0' && ch <= '9';
const identChar = (ch: string) => /^[A-Za-z0-9_-]$/.test(ch) || (ch.codePointAt(0) ?? 0) >= 0x80;
const hexEscape = (ch: string) => `\\${(ch.codePointAt(0) ?? 0xfffd).toString(16)} `;

/** An identifier written so it reads back the same and holds only name characters. */
export function serializeIdent(value: string): string {
  let out = '';
  const chars = [...value];
  chars.forEach((ch, index) => {
    const leadingDigit = isDigit(ch) && (index === 0 || (index === 1 && chars[0] === '-'));
    out += identChar(ch) && !leadingDigit ? ch : hexEscape(ch);
  });
  return out === '-' ? '\\-' : out;
}

/** A double-quoted string; "<", ">" and quotes are escaped, so it cannot end a <style> element. */
export function serializeString(value: string): string {
  let out = '"';
  for (const ch of value) {
    const code = ch.codePointAt(0) ?? 0;
    out += ch === '"' || ch === '\\' || ch === '<' || ch === '>' || code < 0x20 || code === 0x7f ? hexEscape(ch) : ch;
  }
  return `${out}"`;
}

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/;

export function serializeToken(t: Token): string {
  switch (t.type) {
    case T.WhiteSpace:
      return ' ';
    case T.Comment:
      // Kept as an empty comment so the tokens either side cannot merge into one.
      return '/**/';
    case T.CDO:
    case T.CDC:
      return '';
    case T.Ident:
      return serializeIdent(nameOf(t));
    case T.Function:
      return `${serializeIdent(nameOf(t))}(`;
    case T.AtKeyword:
      return `@${serializeIdent(nameOf(t))}`;
    case T.Hash:
      return `#${[...nameOf(t)].map((ch) => (identChar(ch) ? ch : hexEscape(ch))).join('')}`;
    case T.String:
      return serializeString(stringOf(t));
    case T.Url:
      return `url(${serializeString(stringOf(t))})`;
    case T.Dimension: {
      // "1e3" followed by a unit starting with e would read back differently; units are names.
      const number = NUMBER.exec(t.raw)?.[0] ?? '';
      return `${number}${serializeIdent(ident.decode(t.raw.slice(number.length)))}`;
    }
    case T.Delim:
      // A lone "<" (media ranges) is followed by a space so "</" can never appear.
      return t.raw === '<' ? '< ' : t.raw === '\\' ? '' : t.raw;
    default:
      // Numbers, percentages and punctuation are written as they were: they hold no escapes.
      return t.raw;
  }
}
