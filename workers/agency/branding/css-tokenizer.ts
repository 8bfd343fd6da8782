/**
 * A CSS tokenizer after CSS Syntax Level 3 (https://www.w3.org/TR/css-syntax-3/#tokenization),
 * enough to judge and rewrite an agency's custom stylesheet: escapes are
 * decoded (so `\75 rl(` is seen as `url(`), every token keeps its offsets in
 * the source, and `serializeToken` writes a token back in a form that can
 * never close the <style> element it is served in.
 */

export type CssToken =
  | { type: 'ws' | 'comment' | 'colon' | 'semicolon' | 'comma' | '[' | ']' | '(' | ')' | '{' | '}' | 'cdo' | 'cdc'; start: number; end: number }
  | { type: 'ident' | 'function' | 'at' | 'hash' | 'string' | 'url'; value: string; start: number; end: number }
  | { type: 'number' | 'percentage' | 'dimension'; value: string; unit: string; start: number; end: number }
  | { type: 'delim'; value: string; start: number; end: number };

export class CssSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';
const isHex = (c: string | undefined) => c !== undefined && /^[0-9a-fA-F]$/.test(c);
const isNameStart = (c: string | undefined) => c !== undefined && (/^[A-Za-z_]$/.test(c) || c.charCodeAt(0) >= 0x80);
const isName = (c: string | undefined) => isNameStart(c) || isDigit(c) || c === '-';
const isWs = (c: string | undefined) => c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f';
const validEscape = (a: string | undefined, b: string | undefined) => a === '\\' && b !== undefined && b !== '\n' && b !== '\r' && b !== '\f';

/** Splits CSS source into tokens; throws CssSyntaxError on unclosed strings, comments and bad url()s. */
export function tokenizeCss(src: string): CssToken[] {
  const tokens: CssToken[] = [];
  let i = 0;

  const startsIdent = (at: number) => {
    const [a, b, c] = [src[at], src[at + 1], src[at + 2]];
    if (a === '-') return isNameStart(b) || b === '-' || validEscape(b, c);
    return isNameStart(a) || validEscape(a, b);
  };
  const startsNumber = (at: number) => {
    const [a, b, c] = [src[at], src[at + 1], src[at + 2]];
    if (a === '+' || a === '-') return isDigit(b) || (b === '.' && isDigit(c));
    if (a === '.') return isDigit(b);
    return isDigit(a);
  };
  const consumeEscape = (): string => {
    // At the character after the backslash.
    if (isHex(src[i])) {
      let hex = '';
      while (hex.length < 6 && isHex(src[i])) hex += src[i++];
      if (isWs(src[i])) i += src[i] === '\r' && src[i + 1] === '\n' ? 2 : 1;
      const code = parseInt(hex, 16);
      return code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff) ? '\ufffd' : String.fromCodePoint(code);
    }
    if (i >= src.length) return '\ufffd';
    return src[i++];
  };
  const consumeName = (): string => {
    let out = '';
    for (;;) {
      if (isName(src[i])) out += src[i++];
      else if (validEscape(src[i], src[i + 1])) {
        i += 1;
        out += consumeEscape();
      } else return out;
    }
  };
  const consumeString = (quote: string, start: number): string => {
    let out = '';
    i += 1;
    for (;;) {
      const c = src[i];
      if (c === undefined) throw new CssSyntaxError('A string is not closed.', start);
      if (c === quote) {
        i += 1;
        return out;
      }
      if (c === '\n' || c === '\r' || c === '\f') throw new CssSyntaxError('A string runs past the end of its line.', start);
      if (c === '\\') {
        if (src[i + 1] === undefined) {
          i += 1;
          continue;
        }
        if (src[i + 1] === '\n' || src[i + 1] === '\f') {
          i += 2;
          continue;
        }
        i += 1;
        out += consumeEscape();
        continue;
      }
      out += c;
      i += 1;
    }
  };
  const consumeUrl = (start: number): string => {
    // After "url(" with no quote: an unquoted URL up to ")".
    while (isWs(src[i])) i += 1;
    let out = '';
    for (;;) {
      const c = src[i];
      if (c === undefined) throw new CssSyntaxError('A url( is not closed.', start);
      if (c === ')') {
        i += 1;
        return out;
      }
      if (isWs(c)) {
        while (isWs(src[i])) i += 1;
        if (src[i] === ')') {
          i += 1;
          return out;
        }
        throw new CssSyntaxError('A url( has spaces inside; quote the URL.', start);
      }
      if (c === '"' || c === "'" || c === '(' || c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f) throw new CssSyntaxError('A url( holds a character it cannot hold unquoted.', start);
      if (c === '\\') {
        if (!validEscape(c, src[i + 1])) throw new CssSyntaxError('A url( has a bad escape.', start);
        i += 1;
        out += consumeEscape();
        continue;
      }
      out += c;
      i += 1;
    }
  };
  const consumeNumeric = (start: number): CssToken => {
    let num = '';
    if (src[i] === '+' || src[i] === '-') num += src[i++];
    while (isDigit(src[i])) num += src[i++];
    if (src[i] === '.' && isDigit(src[i + 1])) {
      num += src[i++];
      while (isDigit(src[i])) num += src[i++];
    }
    if ((src[i] === 'e' || src[i] === 'E') && (isDigit(src[i + 1]) || ((src[i + 1] === '+' || src[i + 1] === '-') && isDigit(src[i + 2])))) {
      num += src[i++];
      if (src[i] === '+' || src[i] === '-') num += src[i++];
      while (isDigit(src[i])) num += src[i++];
    }
    if (startsIdent(i)) return { type: 'dimension', value: num, unit: consumeName(), start, end: i };
    if (src[i] === '%') {
      i += 1;
      return { type: 'percentage', value: num, unit: '%', start, end: i };
    }
    return { type: 'number', value: num, unit: '', start, end: i };
  };

  while (i < src.length) {
    const start = i;
    const c = src[i];
    if (c === '/' && src[i + 1] === '*') {
      const end = src.indexOf('*/', i + 2);
      if (end < 0) throw new CssSyntaxError('A comment is not closed (missing */).', start);
      i = end + 2;
      tokens.push({ type: 'comment', start, end: i });
    } else if (isWs(c)) {
      while (isWs(src[i])) i += 1;
      tokens.push({ type: 'ws', start, end: i });
    } else if (c === '"' || c === "'") {
      const value = consumeString(c, start);
      tokens.push({ type: 'string', value, start, end: i });
    } else if (c === '#' && (isName(src[i + 1]) || validEscape(src[i + 1], src[i + 2]))) {
      i += 1;
      tokens.push({ type: 'hash', value: consumeName(), start, end: i });
    } else if (startsNumber(i)) {
      tokens.push(consumeNumeric(start));
    } else if (c === '<' && src.startsWith('<!--', i)) {
      i += 4;
      tokens.push({ type: 'cdo', start, end: i });
    } else if (c === '-' && src.startsWith('-->', i)) {
      i += 3;
      tokens.push({ type: 'cdc', start, end: i });
    } else if (startsIdent(i)) {
      const name = consumeName();
      if (src[i] === '(') {
        i += 1;
        if (name.toLowerCase() === 'url') {
          let j = i;
          while (isWs(src[j])) j += 1;
          if (src[j] !== '"' && src[j] !== "'") {
            tokens.push({ type: 'url', value: consumeUrl(start), start, end: i });
            continue;
          }
        }
        tokens.push({ type: 'function', value: name, start, end: i });
      } else tokens.push({ type: 'ident', value: name, start, end: i });
    } else if (c === '@' && startsIdent(i + 1)) {
      i += 1;
      tokens.push({ type: 'at', value: consumeName(), start, end: i });
    } else if (c === '\\') {
      throw new CssSyntaxError('A backslash escape is not valid here.', start);
    } else {
      i += 1;
      const simple: Record<string, CssToken['type']> = { ':': 'colon', ';': 'semicolon', ',': 'comma', '[': '[', ']': ']', '(': '(', ')': ')', '{': '{', '}': '}' };
      const type = simple[c];
      tokens.push(type ? ({ type, start, end: i } as CssToken) : { type: 'delim', value: c, start, end: i });
    }
  }
  return tokens;
}

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

export function serializeToken(t: CssToken): string {
  switch (t.type) {
    case 'ws':
      return ' ';
    case 'comment':
      // Kept as an empty comment so the tokens either side cannot merge into one.
      return '/**/';
    case 'cdo':
    case 'cdc':
      return '';
    case 'colon':
      return ':';
    case 'semicolon':
      return ';';
    case 'comma':
      return ',';
    case 'ident':
      return serializeIdent(t.value);
    case 'function':
      return `${serializeIdent(t.value)}(`;
    case 'at':
      return `@${serializeIdent(t.value)}`;
    case 'hash':
      return `#${[...t.value].map((ch) => (identChar(ch) ? ch : hexEscape(ch))).join('')}`;
    case 'string':
      return serializeString(t.value);
    case 'url':
      return `url(${serializeString(t.value)})`;
    case 'number':
    case 'percentage':
      return `${t.value}${t.unit}`;
    case 'dimension':
      // "1e3" followed by a unit starting with e would read back differently; units are names.
      return `${t.value}${serializeIdent(t.unit)}`;
    case 'delim':
      // A lone "<" (media ranges) is followed by a space so "</" can never appear.
      return t.value === '<' ? '< ' : t.value === '\\' ? '' : t.value;
    default:
      return t.type;
  }
}
