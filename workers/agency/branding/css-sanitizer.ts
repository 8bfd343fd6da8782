import type { Atrule, CssNode, Declaration, Rule } from 'css-tree';
import parse from 'css-tree/parser';
import { isBlank, isClosedString, nameOf, serializeIdent, serializeString, serializeToken, stringOf, T, tokensOf, trimBlank, type Token } from './css-tokens';

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
 *
 * css-tree parses the stylesheet into rules, at-rules and declarations, as a
 * browser would; selectors, at-rule conditions and values stay raw text that
 * is judged token by token with css-tree's tokenizer, escapes decoded (so
 * `\75 rl(` is seen as `url(` and `@\69 mport` as `@import`).
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
type Block = NonNullable<Atrule['block']>;

const END = { [T.RightParenthesis]: ')', [T.RightSquareBracket]: ']' } as Record<number, Close>;
const PUNCTUATION: Record<number, string> = { [T.LeftCurlyBracket]: '{', [T.RightCurlyBracket]: '}', [T.Semicolon]: ';' };
const isDelim = (t: Token | undefined, ch: string) => t?.type === T.Delim && t.raw === ch;

class Compiler {
  readonly issues: CssIssue[] = [];
  readonly strip: [number, number][] = [];
  private importantCount = 0;
  private depth = 0;

  constructor(
    private readonly src: string,
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

  private tokens(node: CssNode | null | undefined): Token[] {
    return node?.loc ? tokensOf(this.src, node.loc.start.offset, node.loc.end.offset) : [];
  }

  private at(node: CssNode): number {
    return node.loc?.start.offset ?? 0;
  }

  compile(): string {
    if (!this.lexicallyValid()) return '';
    const sheet = parse(this.src, { positions: true, parseValue: false, parseRulePrelude: false, parseAtrulePrelude: false, parseCustomProperty: false });
    return sheet.type === 'StyleSheet' ? this.ruleList(sheet.children.toArray(), false) : '';
  }

  /** Strings, comments and url( left open, and stray backslashes: refused before parsing, as browsers would read past them. */
  private lexicallyValid(): boolean {
    for (const t of tokensOf(this.src, 0, this.src.length)) {
      const problem =
        t.type === T.BadString
          ? 'A string runs past the end of its line.'
          : t.type === T.String && !isClosedString(t)
            ? 'A string is not closed.'
            : t.type === T.Comment && (t.raw.length < 4 || !t.raw.endsWith('*/'))
              ? 'A comment is not closed (missing */).'
              : t.type === T.BadUrl || (t.type === T.Url && !t.raw.endsWith(')'))
                ? 'A url( is not closed, has spaces inside or holds a character it cannot hold unquoted; quote the URL.'
                : isDelim(t, '\\')
                  ? 'A backslash escape is not valid here.'
                  : null;
      if (problem) {
        this.issue(t.start, 'css_syntax', problem);
        return false;
      }
    }
    return true;
  }

  private blockClosed(block: Block | null | undefined, what: string): void {
    const end = block?.loc?.end.offset;
    if (end !== undefined && this.src[end - 1] !== '}') this.issue(this.src.length, 'css_syntax', `${what} is not closed (missing "}").`);
  }

  private ruleList(nodes: CssNode[], nested: boolean): string {
    const out: string[] = [];
    for (const node of nodes) {
      if (node.type === 'Rule') out.push(this.styleRule(node));
      else if (node.type === 'Atrule') out.push(this.atRule(node));
      else if (node.type === 'Raw') this.strayText(node);
    }
    return out.filter(Boolean).join(nested ? '' : '\n');
  }

  /** Text the parser could not make a rule of. */
  private strayText(node: CssNode): void {
    const tokens = trimBlank(this.tokens(node)).filter((t) => t.type !== T.Semicolon);
    const [first] = tokens;
    if (!first) return;
    if (first.type === T.RightCurlyBracket) this.issue(first.start, 'css_syntax', 'An unmatched "}".');
    else if (tokens.some((t) => t.type === T.Colon))
      this.issue(first.start, 'css_syntax', "A declaration outside any rule; put it inside a selector's { ... } block.");
    else this.issue(first.start, 'css_syntax', 'Expected a selector followed by a { ... } block.');
  }

  private atRule(node: Atrule): string {
    const name = nameOf({ type: T.AtKeyword, raw: `@${node.name}`, start: 0 }).toLowerCase();
    const prelude = this.tokens(node.prelude);
    const refuse = (code: string, message: string) => {
      this.issue(this.at(node), code, message);
      return '';
    };
    if (name === 'import') return refuse('css_import', '@import is not allowed: custom CSS cannot load other stylesheets. Paste the rules themselves instead.');
    if (name === 'charset') return node.block ? refuse('css_syntax', '@charset takes no block.') : '';
    const supported = GROUPING_AT_RULES.has(name) || name === 'keyframes' || name === '-webkit-keyframes' || name === 'font-face';
    if (!supported)
      return refuse(
        'css_at_rule',
        `@${name} is not supported in custom CSS (allowed: @media, @supports, @container, @keyframes and @font-face with local() fonts).`,
      );
    if (!node.block) return refuse('css_syntax', `@${name} needs a { ... } block.`);
    const children = node.block.children.toArray();
    if (GROUPING_AT_RULES.has(name)) {
      const condition = this.value(prelude, `@${name}`);
      if (++this.depth > MAX_DEPTH) {
        this.depth -= 1;
        return refuse('css_syntax', `At-rules are nested more than ${MAX_DEPTH} deep.`);
      }
      const body = this.ruleList(children, true);
      this.depth -= 1;
      this.blockClosed(node.block, 'A block');
      return `@${name} ${condition}{${body}}`;
    }
    if (name === 'keyframes' || name === '-webkit-keyframes') {
      const animation = trimBlank(prelude);
      if (animation.length !== 1 || (animation[0].type !== T.Ident && animation[0].type !== T.String))
        return refuse('css_syntax', `@${name} needs one animation name.`);
      const body = this.keyframes(children);
      this.blockClosed(node.block, 'An @keyframes block');
      return `@${name} ${serializeToken(animation[0])}{${body}}`;
    }
    // @font-face: declarations whose url()s are all refused, so only local() fonts remain.
    const before = this.issues.length;
    const body = this.declarations(node.block, '@font-face');
    return this.issues.length > before ? '' : `@font-face{${body}}`;
  }

  private keyframes(children: CssNode[]): string {
    const out: string[] = [];
    for (const frame of children) {
      if (frame.type !== 'Rule') {
        if (frame.type !== 'Raw' || trimBlank(this.tokens(frame)).some((t) => t.type !== T.Semicolon))
          this.issue(this.at(frame), 'css_syntax', 'A keyframe needs a { ... } block.');
        continue;
      }
      const selector = trimBlank(this.tokens(frame.prelude));
      const valid = selector.every(
        (t) => isBlank(t) || t.type === T.Comma || t.type === T.Percentage || (t.type === T.Ident && /^(from|to)$/i.test(nameOf(t))),
      );
      if (!valid) this.issue(this.at(frame), 'css_syntax', 'Keyframe selectors are percentages, from or to.');
      out.push(`${selector.map(serializeToken).join('')}{${this.declarations(frame.block, '@keyframes')}}`);
    }
    return out.join('');
  }

  private styleRule(rule: Rule): string {
    const selectors = this.selectors(this.tokens(rule.prelude), this.at(rule));
    const body = this.declarations(rule.block, 'rule');
    return selectors ? `${selectors}{${body}}` : '';
  }

  /** Each selector of the list, under the scope. */
  private selectors(prelude: Token[], offset: number): string {
    this.value(prelude, 'selector'); // judged like any value: brackets, url(), script
    const parts: Token[][] = [[]];
    let depth = 0;
    for (const t of prelude) {
      if (t.type === T.LeftParenthesis || t.type === T.Function || t.type === T.LeftSquareBracket) depth += 1;
      if (t.type === T.RightParenthesis || t.type === T.RightSquareBracket) depth -= 1;
      if (t.type === T.Comma && depth === 0) parts.push([]);
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
      if (isDelim(lead, '>') || isDelim(lead, '+') || isDelim(lead, '~')) {
        this.issue(lead.start, 'css_selector', `A selector cannot start with "${lead.raw}": it would reach outside the app.`);
        continue;
      }
      const amp = part.find((p) => isDelim(p, '&'));
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

  private declarations(block: Block, context: string): string {
    const out: string[] = [];
    for (const node of block.children.toArray()) {
      if (node.type === 'Declaration') {
        const declaration = this.declaration(node, context);
        if (declaration) out.push(declaration);
      } else if (node.type === 'Rule' || node.type === 'Atrule' || this.tokens(node).some((t) => t.type === T.LeftCurlyBracket)) {
        this.issue(this.at(node), 'css_nesting', 'Nested rules are not supported; write each rule at the top level.');
      } else if (trimBlank(this.tokens(node)).some((t) => t.type !== T.Semicolon)) {
        this.issue(this.at(node), 'css_syntax', 'Expected a declaration such as "color: #333".');
      }
    }
    this.blockClosed(block, 'A rule');
    return out.join(';');
  }

  private declaration(node: Declaration, context: string): string {
    const [name] = this.tokens(node);
    if (name?.type !== T.Ident) {
      this.issue(this.at(node), 'css_syntax', 'Expected a declaration such as "color: #333".');
      return '';
    }
    const property = nameOf(name);
    if (BANNED_PROPERTIES.has(property.toLowerCase())) {
      this.issue(name.start, 'css_behavior', `${property} is not allowed: it can run code.`);
      return '';
    }
    const valueEnd = node.value.loc?.end.offset ?? this.at(node);
    if (node.important === true) {
      // "20px !important;" is stored as "20px;": the app's own !important guards must always win.
      const tail = this.src.slice(valueEnd, node.loc?.end.offset ?? valueEnd).replace(/[\s;]+$/, '');
      this.strip.push([valueEnd, valueEnd + tail.length]);
      this.importantCount += 1;
    } else if (node.important) {
      this.issue(valueEnd, 'css_syntax', 'An unexpected "!".');
    }
    const value = this.value(this.tokens(node.value), context === '@font-face' ? '@font-face' : property.toLowerCase());
    return `${serializeIdent(property)}:${value}`;
  }

  /** Checks and serializes a value, an at-rule condition or a selector list. */
  private value(raw: Token[], where: string): string {
    const tokens = trimBlank(raw);
    const out: string[] = [];
    const open: Close[] = [];
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i];
      if (t.type === T.Function || t.type === T.LeftParenthesis || t.type === T.LeftSquareBracket) open.push(t.type === T.LeftSquareBracket ? ']' : ')');
      else if (END[t.type]) {
        if (open.pop() !== END[t.type]) this.issue(t.start, 'css_syntax', `An unmatched "${END[t.type]}".`);
      } else if (PUNCTUATION[t.type]) {
        const opened = open[open.length - 1];
        this.issue(
          t.start,
          'css_syntax',
          opened ? `A "${opened === ')' ? '(' : '['}" is not closed before "${PUNCTUATION[t.type]}".` : `An unexpected "${PUNCTUATION[t.type]}".`,
        );
      } else if (isDelim(t, '!')) {
        this.issue(t.start, 'css_syntax', 'An unexpected "!".');
      }
      if (t.type === T.Url) this.checkUrl(stringOf(t), t.start, where);
      if (
        (t.type === T.String || t.type === T.Ident || t.type === T.Url) &&
        /(java|vb)script:/i.test((t.type === T.Ident ? nameOf(t) : stringOf(t)).replace(/[\s\u0000-\u001f]/g, ''))
      ) {
        this.issue(t.start, 'css_javascript', 'javascript: URLs are not allowed.');
      }
      if (t.type === T.Ident && nameOf(t).toLowerCase() === 'javascript' && tokens[i + 1]?.type === T.Colon) {
        this.issue(t.start, 'css_javascript', 'javascript: URLs are not allowed.');
      }
      if (t.type === T.Function) {
        const fn = nameOf(t).toLowerCase();
        if (fn === 'url') {
          const found = this.urlFunction(tokens, i, where);
          if (found) {
            open.pop();
            out.push(`url(${serializeString(found.url)})`);
            i = found.close;
            continue;
          }
        } else if (fn === 'expression') {
          this.issue(t.start, 'css_expression', 'expression() is not allowed: it runs script.');
        } else if (IMAGE_FUNCTIONS.has(fn)) {
          this.issue(t.start, 'css_url', `${nameOf(t)}() is not allowed; use url() of an uploaded brand asset.`);
        }
      }
      out.push(serializeToken(t));
    }
    if (open.length)
      this.issue(tokens[tokens.length - 1]?.start ?? this.src.length, 'css_syntax', `A "${open[open.length - 1] === ')' ? '(' : '['}" is not closed.`);
    return out.join('');
  }

  /**
   * A url( the tokenizer read as a function: `url("...")` (quoted), or an
   * escaped name such as `\75 rl(...)`, which browsers read as an unquoted
   * url(). Checks the URL and returns it with the index of its ")", or
   * null when it is not one URL.
   */
  private urlFunction(tokens: Token[], at: number, where: string): { url: string; close: number } | null {
    const fn = tokens[at];
    const close = tokens.findIndex((t, i) => i > at && t.type === T.RightParenthesis);
    const inner = trimBlank(tokens.slice(at + 1, close < 0 ? tokens.length : close));
    let url: string | null = null;
    if (inner.length === 1 && inner[0].type === T.String) url = stringOf(inner[0]);
    else if (fn.raw.toLowerCase() !== 'url(') {
      const text = inner.map((t) => t.raw).join('');
      if (!/[\s"'(]/.test(text)) url = stringOf({ type: T.Url, raw: `url(${text})`, start: fn.start });
    }
    if (url === null || close < 0) {
      this.issue(fn.start, 'css_url', 'url() must hold one quoted or unquoted URL.');
      return null;
    }
    this.checkUrl(url, fn.start, where);
    return { url, close };
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
    return this.importantCount
      ? [
          `!important was removed from ${this.importantCount} declaration${this.importantCount === 1 ? '' : 's'}: branded rules already take priority over the app's own styles.`,
        ]
      : [];
  }
}

/** Drops leading `html`, `body` and `:root` compounds: they stand for the scope element itself. */
function withoutRoot(tokens: Token[]): Token[] {
  let rest = tokens;
  for (;;) {
    let n = 0;
    const [a, b] = rest;
    if (a?.type === T.Ident && ROOT_NAMES.has(nameOf(a).toLowerCase())) n = 1;
    else if (a?.type === T.Colon && b?.type === T.Ident && nameOf(b).toLowerCase() === 'root') n = 2;
    const next = rest[n];
    if (n === 0 || (next && !isBlank(next) && !isDelim(next, '>'))) return rest;
    rest = rest.slice(n);
    while (rest[0] && (isBlank(rest[0]) || isDelim(rest[0], '>'))) rest = rest.slice(1);
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
    throw new CustomCssError([
      { code: 'css_too_large', message: `Custom CSS is limited to ${opts.maxBytes / 1024} KB; this is ${(bytes / 1024).toFixed(1)} KB.` },
    ]);
  }
  const breakout = source.search(/<\//);
  if (breakout >= 0) {
    const line = source.slice(0, breakout).split('\n').length;
    throw new CustomCssError([
      { code: 'css_breakout', message: `Line ${line}: custom CSS cannot contain "</" (it could close the <style> element the CSS is served in).` },
    ]);
  }
  const script = /(?:java|vb)script\s*:/i.exec(source);
  if (script) {
    const line = source.slice(0, script.index).split('\n').length;
    throw new CustomCssError([{ code: 'css_javascript', message: `Line ${line}: javascript: URLs are not allowed.` }]);
  }
  const compiler = new Compiler(source, opts);
  // "<" is always written with a space after it; drop the doubled space where one followed anyway.
  const scoped = compiler.compile().replace(/< {2,}/g, '< ');
  if (compiler.issues.length) throw new CustomCssError(compiler.issues);
  if (/<\/|<!--/i.test(scoped)) throw new Error('compiled custom CSS still holds "</"'); // cannot happen: the serializer escapes "<"
  let stored = source;
  for (const [from, to] of [...compiler.strip].sort((x, y) => y[0] - x[0])) stored = stored.slice(0, from) + stored.slice(to);
  return { source: stored, scoped, warnings: compiler.warnings() };
}
