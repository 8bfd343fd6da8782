import { CssSyntaxError, serializeIdent, serializeToken, tokenizeCss, type CssToken } from './css-tokenizer';

/**
 * An agency's custom CSS, judged and compiled on save.
 *
 * Refused (422 with a field error naming the line): @import and other
 * at-rules that load or reorder styles, url() to anything but the agency's
 * own uploaded brand assets, expression(), behavior / -moz-binding,
 * javascript: URLs, @font-face with a remote src, "</" (which could close the
 * <style> element), nested rules, selectors that start with a combinator,
 * and more than the size limit. Stripped with a warning: !important.
 *
 * Compiled: every selector is put under the scope selector (`.brand-scope
 * .btn`), so a rule can only match elements inside the branded app, never
 * the impersonation bar or the dialogs that live outside it. `html`, `body`
 * and `:root` mean the scope element itself. Without !important, the app's
 * own !important guards on the scope (its stacking) always win. The compiled
 * text is re-serialized token by token, so strings cannot carry "</".
 */

export const DEFAULT_CSS_SCOPE = '.brand-scope';
export const MAX_CUSTOM_CSS_BYTES = 20 * 1024;

export interface CssIssue {
  code: string;
  message: string;
}

export class CustomCssError extends Error {
  constructor(readonly issues: CssIssue[]) {
    super(issues.map((i) => i.message).join(' '));
  }
}

export interface CustomCssOptions {
  /**
   * Same-origin paths a url() may point at: the agency's own uploaded assets
   * on save; when an already saved stylesheet is compiled again for serving,
   * any /brand-assets/ path (the asset may have been replaced since).
   */
  allowedUrls: ReadonlySet<string> | 'any-brand-asset';
  scope?: string;
  maxBytes?: number;
}

export interface CompiledCss {
  /** The source as it is stored and shown to the agency: what they wrote, minus what was stripped. */
  source: string;
  /** What is served: scoped, re-serialized. */
  scoped: string;
  warnings: string[];
}

const MAX_ISSUES = 8;
const MAX_DEPTH = 6;
const BANNED_PROPERTIES = new Set(['behavior', '-ms-behavior', '-moz-binding', '-webkit-binding']);
const IMAGE_FUNCTIONS = new Set(['image-set', '-webkit-image-set', 'image', 'element', '-moz-element', 'paint', 'cross-fade', '-webkit-cross-fade', 'src']);
const GROUPING_AT_RULES = new Set(['media', 'supports', 'container']);
const ROOT_NAMES = new Set(['html', 'body']);
const BRAND_ASSET_PATH = /^\/brand-assets\/[0-9a-f]{64}\.(?:png|jpg|webp|svg|ico)$/;

type Close = ')' | ']';

class Compiler {
  private at = 0;
  readonly issues: CssIssue[] = [];
  readonly strip: [number, number][] = [];
  private importantCount = 0;
  private depth = 0;

  constructor(
    private readonly src: string,
    private readonly tokens: CssToken[],
    private readonly options: Required<CustomCssOptions>,
  ) {}

  private line(offset: number): number {
    let n = 1;
    for (let i = 0; i < offset && i < this.src.length; i++) if (this.src[i] === '\n') n += 1;
    return n;
  }

  private issue(offset: number, code: string, message: string): void {
    if (this.issues.length < MAX_ISSUES) this.issues.push({ code, message: `Line ${this.line(offset)}: ${message}` });
  }

  private peek(): CssToken | undefined {
    return this.tokens[this.at];
  }

  private skipBlank(): void {
    while (this.peek() && ['ws', 'comment', 'cdo', 'cdc'].includes(this.peek()!.type)) this.at += 1;
  }

  /**
   * Tokens up to (not including) a stop token outside any ( or [. A brace or
   * semicolon inside unclosed brackets is refused: browsers would read the
   * block boundaries differently from us.
   */
  private collect(stops: CssToken['type'][]): { tokens: CssToken[]; stop: CssToken | undefined } {
    const out: CssToken[] = [];
    const open: Close[] = [];
    for (;;) {
      const t = this.peek();
      if (!t) {
        if (open.length) this.issue(this.src.length, 'css_syntax', `A "${open[open.length - 1] === ')' ? '(' : '['}" is not closed.`);
        return { tokens: out, stop: undefined };
      }
      if (t.type === '(' || t.type === 'function' || t.type === '[') open.push(t.type === '[' ? ']' : ')');
      else if (t.type === ')' || t.type === ']') {
        if (open.pop() !== t.type) this.issue(t.start, 'css_syntax', `An unmatched "${t.type}".`);
      } else if (t.type === '{' || t.type === '}' || t.type === 'semicolon') {
        if (open.length) {
          this.issue(t.start, 'css_syntax', `A "${open[open.length - 1] === ')' ? '(' : '['}" is not closed before "${t.type === 'semicolon' ? ';' : t.type}".`);
          return { tokens: out, stop: t };
        }
        if (stops.includes(t.type)) return { tokens: out, stop: t };
      }
      out.push(t);
      this.at += 1;
    }
  }

  /** Skips a { ... } block the parser refused, so the rest can still be checked. */
  private skipBlock(): void {
    let depth = 0;
    while (this.peek()) {
      const t = this.peek()!;
      this.at += 1;
      if (t.type === '{') depth += 1;
      else if (t.type === '}' && --depth <= 0) return;
    }
  }

  compile(): string {
    return this.ruleList(false);
  }

  private ruleList(nested: boolean): string {
    const out: string[] = [];
    for (;;) {
      this.skipBlank();
      const t = this.peek();
      if (!t) {
        if (nested) this.issue(this.src.length, 'css_syntax', 'A block is not closed (missing "}").');
        break;
      }
      if (t.type === '}') {
        this.at += 1;
        if (nested) break;
        this.issue(t.start, 'css_syntax', 'An unmatched "}".');
        continue;
      }
      if (t.type === 'semicolon') {
        this.at += 1;
        continue;
      }
      const rule = t.type === 'at' ? this.atRule() : this.styleRule();
      if (rule) out.push(rule);
    }
    return out.join(nested ? '' : '\n');
  }

  private atRule(): string {
    const t = this.peek() as CssToken & { value: string };
    const name = t.value.toLowerCase();
    this.at += 1;
    const { tokens: prelude, stop } = this.collect(['{', 'semicolon']);
    if (stop?.type === 'semicolon') this.at += 1;
    const hasBlock = stop?.type === '{';
    if (hasBlock) this.at += 1;
    const refuse = (code: string, message: string) => {
      this.issue(t.start, code, message);
      if (hasBlock) {
        this.at -= 1;
        this.skipBlock();
      }
      return '';
    };
    if (name === 'import') return refuse('css_import', '@import is not allowed: custom CSS cannot load other stylesheets. Paste the rules themselves instead.');
    if (name === 'charset') return hasBlock ? refuse('css_syntax', '@charset takes no block.') : '';
    if (!hasBlock) return refuse('css_syntax', `@${name} needs a { ... } block.`);
    if (GROUPING_AT_RULES.has(name)) {
      const condition = this.value(prelude, `@${name}`, false);
      if (++this.depth > MAX_DEPTH) return refuse('css_syntax', `At-rules are nested more than ${MAX_DEPTH} deep.`);
      const body = this.ruleList(true);
      this.depth -= 1;
      return `@${name} ${condition}{${body}}`;
    }
    if (name === 'keyframes' || name === '-webkit-keyframes') {
      const ident = prelude.filter((p) => p.type !== 'ws' && p.type !== 'comment');
      if (ident.length !== 1 || (ident[0].type !== 'ident' && ident[0].type !== 'string')) return refuse('css_syntax', `@${name} needs one animation name.`);
      return `@${name} ${serializeToken(ident[0])}{${this.keyframes()}}`;
    }
    if (name === 'font-face') {
      const start = this.issues.length;
      const body = this.declarations('@font-face');
      if (this.issues.length > start) return '';
      return `@font-face{${body}}`;
    }
    return refuse('css_at_rule', `@${name} is not supported in custom CSS (allowed: @media, @supports, @container, @keyframes and @font-face with local() fonts).`);
  }

  private keyframes(): string {
    const out: string[] = [];
    for (;;) {
      this.skipBlank();
      const t = this.peek();
      if (!t) {
        this.issue(this.src.length, 'css_syntax', 'An @keyframes block is not closed (missing "}").');
        break;
      }
      if (t.type === '}') {
        this.at += 1;
        break;
      }
      const { tokens: selector, stop } = this.collect(['{', 'semicolon']);
      if (stop?.type !== '{') {
        this.issue(t.start, 'css_syntax', 'A keyframe needs a { ... } block.');
        if (stop) this.at += 1;
        continue;
      }
      this.at += 1;
      const valid = selector.every((s) => s.type === 'ws' || s.type === 'comment' || s.type === 'comma' || s.type === 'percentage' || (s.type === 'ident' && /^(from|to)$/i.test(s.value)));
      if (!valid) this.issue(t.start, 'css_syntax', 'Keyframe selectors are percentages, from or to.');
      out.push(`${selector.map(serializeToken).join('').trim()}{${this.declarations('@keyframes')}}`);
    }
    return out.join('');
  }

  private styleRule(): string {
    const first = this.peek()!;
    const { tokens: prelude, stop } = this.collect(['{', 'semicolon']);
    if (stop?.type !== '{') {
      const looksLikeDeclaration = prelude.some((p) => p.type === 'colon');
      this.issue(
        first.start,
        'css_syntax',
        looksLikeDeclaration ? 'A declaration outside any rule; put it inside a selector\'s { ... } block.' : 'Expected a selector followed by a { ... } block.',
      );
      if (stop) this.at += 1;
      return '';
    }
    this.at += 1;
    const selectors = this.selectors(prelude, first.start);
    const body = this.declarations('rule');
    return selectors ? `${selectors}{${body}}` : '';
  }

  /** Each selector of the list, under the scope. */
  private selectors(prelude: CssToken[], offset: number): string {
    const parts: CssToken[][] = [[]];
    let depth = 0;
    for (const t of prelude) {
      if (t.type === '(' || t.type === 'function' || t.type === '[') depth += 1;
      if (t.type === ')' || t.type === ']') depth -= 1;
      if (t.type === 'comma' && depth === 0) parts.push([]);
      else parts[parts.length - 1].push(t);
    }
    const out: string[] = [];
    for (const raw of parts) {
      const part = trimBlank(raw);
      if (part.length === 0) {
        this.issue(offset, 'css_selector', 'A selector is empty.');
        continue;
      }
      const lead = part[0];
      if (lead.type === 'delim' && ['>', '+', '~'].includes(lead.value)) {
        this.issue(lead.start, 'css_selector', `A selector cannot start with "${lead.value}": it would reach outside the app.`);
        continue;
      }
      const amp = part.find((p) => p.type === 'delim' && p.value === '&');
      if (amp) {
        this.issue(amp.start, 'css_selector', 'The nesting selector "&" is not supported; write each rule at the top level.');
        continue;
      }
      const rest = withoutRoot(part);
      const scope = this.options.scope;
      out.push(rest.length === 0 ? scope : `${scope} ${rest.map(serializeToken).join('')}`);
    }
    return out.join(',');
  }

  private declarations(context: string): string {
    const out: string[] = [];
    for (;;) {
      this.skipBlank();
      const t = this.peek();
      if (!t) {
        this.issue(this.src.length, 'css_syntax', 'A rule is not closed (missing "}").');
        break;
      }
      if (t.type === '}') {
        this.at += 1;
        break;
      }
      if (t.type === 'semicolon') {
        this.at += 1;
        continue;
      }
      const { tokens, stop } = this.collect(['semicolon', '}', '{']);
      if (stop?.type === '{') {
        this.issue(t.start, 'css_nesting', 'Nested rules are not supported; write each rule at the top level.');
        this.skipBlock();
        continue;
      }
      const significant = trimBlank(tokens);
      const [name, ...afterName] = significant;
      const colonAt = afterName.findIndex((x) => x.type !== 'ws' && x.type !== 'comment');
      if (!name || name.type !== 'ident' || afterName[colonAt]?.type !== 'colon') {
        this.issue(t.start, 'css_syntax', 'Expected a declaration such as "color: #333".');
        continue;
      }
      const property = name.value.toLowerCase();
      if (BANNED_PROPERTIES.has(property)) {
        this.issue(name.start, 'css_behavior', `${name.value} is not allowed: it can run code.`);
        continue;
      }
      const value = this.value(afterName.slice(colonAt + 1), context === '@font-face' ? '@font-face' : property, true);
      out.push(`${serializeIdent(name.value)}:${value}`);
    }
    return out.join(';');
  }

  /** Checks and serializes a declaration value (or an at-rule condition). */
  private value(raw: CssToken[], where: string, declaration: boolean): string {
    const tokens = trimBlank(raw);
    // A trailing "!important" is stripped: the app's own !important guards must always win.
    const bang = tokens.findIndex((t) => t.type === 'delim' && t.value === '!');
    let end = tokens.length;
    if (bang >= 0) {
      const after = tokens.slice(bang + 1).filter((t) => t.type !== 'ws' && t.type !== 'comment');
      if (declaration && after.length === 1 && after[0].type === 'ident' && after[0].value.toLowerCase() === 'important') {
        // From the whitespace before "!" to the end of "important": "20px !important;" becomes "20px;".
        const before = tokens[bang - 1];
        this.strip.push([before && before.type === 'ws' ? before.start : tokens[bang].start, after[0].end]);
        this.importantCount += 1;
        end = bang;
      } else {
        this.issue(tokens[bang].start, 'css_syntax', 'An unexpected "!".');
      }
    }
    const kept = trimBlank(tokens.slice(0, end));
    for (let i = 0; i < kept.length; i++) {
      const t = kept[i];
      if (t.type === 'url') this.checkUrl(t.value, t.start, where);
      else if (t.type === 'function') {
        const fn = t.value.toLowerCase();
        if (fn === 'url') {
          const arg = kept.slice(i + 1).find((x) => x.type !== 'ws' && x.type !== 'comment');
          if (arg?.type === 'string') this.checkUrl(arg.value, t.start, where);
          else this.issue(t.start, 'css_url', 'url() must hold one quoted or unquoted URL.');
        } else if (fn === 'expression') {
          this.issue(t.start, 'css_expression', 'expression() is not allowed: it runs script.');
        } else if (IMAGE_FUNCTIONS.has(fn)) {
          this.issue(t.start, 'css_url', `${t.value}() is not allowed; use url() of an uploaded brand asset.`);
        }
      }
      if ((t.type === 'string' || t.type === 'ident' || t.type === 'url') && /(java|vb)script:/i.test(t.value.replace(/[\s\u0000-\u001f]/g, ''))) {
        this.issue(t.start, 'css_javascript', 'javascript: URLs are not allowed.');
      }
      if (t.type === 'ident' && t.value.toLowerCase() === 'javascript' && kept[i + 1]?.type === 'colon') {
        this.issue(t.start, 'css_javascript', 'javascript: URLs are not allowed.');
      }
    }
    return kept.map(serializeToken).join('');
  }

  private checkUrl(url: string, offset: number, where: string): void {
    const target = url.trim();
    if (/^(java|vb)script:/i.test(target.replace(/[\s\u0000-\u001f]/g, ''))) {
      this.issue(offset, 'css_javascript', 'javascript: URLs are not allowed.');
      return;
    }
    if (where === '@font-face') {
      this.issue(offset, 'css_remote_font', '@font-face may only use local() fonts: web fonts from other servers are not allowed.');
      return;
    }
    const allowed = this.options.allowedUrls;
    if (target.startsWith('#') || (allowed === 'any-brand-asset' ? BRAND_ASSET_PATH.test(target) : allowed.has(target))) return;
    const shown = target.length > 60 ? `${target.slice(0, 57)}...` : target;
    const own = allowed === 'any-brand-asset' ? [] : [...allowed];
    this.issue(
      offset,
      'css_url',
      `url(${shown}) is not allowed: custom CSS may only use this agency's own uploaded brand assets${own.length ? ` (${own.join(', ')})` : ' (upload a logo first, then use its /brand-assets/ path)'}.`,
    );
  }

  warnings(): string[] {
    return this.importantCount ? [`!important was removed from ${this.importantCount} declaration${this.importantCount === 1 ? '' : 's'}: branded rules already take priority over the app's own styles.`] : [];
  }
}

function trimBlank(tokens: CssToken[]): CssToken[] {
  let a = 0;
  let b = tokens.length;
  const blank = (t: CssToken) => t.type === 'ws' || t.type === 'comment' || t.type === 'cdo' || t.type === 'cdc';
  while (a < b && blank(tokens[a])) a += 1;
  while (b > a && blank(tokens[b - 1])) b -= 1;
  return tokens.slice(a, b);
}

/** Drops leading `html`, `body` and `:root` compounds: they stand for the scope element itself. */
function withoutRoot(tokens: CssToken[]): CssToken[] {
  let rest = tokens;
  for (;;) {
    let n = 0;
    const [a, b] = rest;
    if (a?.type === 'ident' && ROOT_NAMES.has(a.value.toLowerCase())) n = 1;
    else if (a?.type === 'colon' && b?.type === 'ident' && b.value.toLowerCase() === 'root') n = 2;
    const next = rest[n];
    if (n === 0 || (next && next.type !== 'ws' && next.type !== 'comment' && !(next.type === 'delim' && next.value === '>'))) return rest;
    rest = rest.slice(n);
    while (rest[0] && (rest[0].type === 'ws' || rest[0].type === 'comment' || (rest[0].type === 'delim' && rest[0].value === '>'))) rest = rest.slice(1);
  }
}

/**
 * Checks and compiles custom CSS; throws CustomCssError with every problem
 * found (each naming its line).
 *
 * @example compileCustomCss('.btn-primary { border-radius: 20px !important }', { allowedUrls: new Set() })
 * // { source: '.btn-primary { border-radius: 20px }', scoped: '.brand-scope .btn-primary{border-radius:20px}', warnings: ['!important was removed ...'] }
 */
export function compileCustomCss(source: string, options: CustomCssOptions): CompiledCss {
  const opts: Required<CustomCssOptions> = { scope: DEFAULT_CSS_SCOPE, maxBytes: MAX_CUSTOM_CSS_BYTES, ...options };
  const bytes = new TextEncoder().encode(source).length;
  if (bytes > opts.maxBytes) {
    throw new CustomCssError([{ code: 'css_too_large', message: `Custom CSS is limited to ${opts.maxBytes / 1024} KB; this is ${(bytes / 1024).toFixed(1)} KB.` }]);
  }
  const breakout = source.search(/<\//);
  if (breakout >= 0) {
    const line = source.slice(0, breakout).split('\n').length;
    throw new CustomCssError([{ code: 'css_breakout', message: `Line ${line}: custom CSS cannot contain "</" (it could close the <style> element the CSS is served in).` }]);
  }
  const script = /(?:java|vb)script\s*:/i.exec(source);
  if (script) {
    const line = source.slice(0, script.index).split('\n').length;
    throw new CustomCssError([{ code: 'css_javascript', message: `Line ${line}: javascript: URLs are not allowed.` }]);
  }
  let tokens: CssToken[];
  try {
    tokens = tokenizeCss(source);
  } catch (err) {
    if (!(err instanceof CssSyntaxError)) throw err;
    const line = source.slice(0, err.offset).split('\n').length;
    throw new CustomCssError([{ code: 'css_syntax', message: `Line ${line}: ${err.message}` }]);
  }
  const compiler = new Compiler(source, tokens, opts);
  // "<" is always written with a space after it; drop the doubled space where one followed anyway.
  const scoped = compiler.compile().replace(/< {2,}/g, '< ');
  if (compiler.issues.length) throw new CustomCssError(compiler.issues);
  if (/<\/|<!--/i.test(scoped)) throw new Error('compiled custom CSS still holds "</"'); // cannot happen: the serializer escapes "<"
  let stored = source;
  for (const [from, to] of [...compiler.strip].sort((x, y) => y[0] - x[0])) stored = stored.slice(0, from) + stored.slice(to);
  return { source: stored, scoped, warnings: compiler.warnings() };
}
