/**
 * SVG logos are markup, and markup can run script. An uploaded SVG is parsed
 * (a small strict XML parser: no DTDs, no entities beyond XML's five) and
 * written out again from an allow-list of drawing elements and attributes.
 * Everything else is dropped: script, foreignObject, animation (which can set
 * an href), event handlers (on*), links and references outside the file,
 * javascript:/data: URLs other than embedded raster images, <style> that
 * imports or fetches anything, processing instructions and comments. What
 * cannot be parsed, or declares entities, is refused rather than guessed at.
 */

export class UnsafeSvgError extends Error {}

export interface SanitizedSvg {
  svg: string;
  /** What was taken out, for the uploader (e.g. "<script> element", "onload attribute"). */
  removed: string[];
  /** From width/height (px or unitless), else the viewBox; null when the SVG does not say. */
  width: number | null;
  height: number | null;
}

interface ElementNode {
  type: 'element';
  name: string;
  attrs: [string, string][];
  children: SvgNode[];
}
type SvgNode = ElementNode | { type: 'text'; value: string };

const MAX_DEPTH = 64;
const MAX_NODES = 50_000;

const ELEMENTS = new Set([
  'svg',
  'g',
  'defs',
  'symbol',
  'use',
  'title',
  'desc',
  'switch',
  'path',
  'rect',
  'circle',
  'ellipse',
  'line',
  'polyline',
  'polygon',
  'text',
  'tspan',
  'textPath',
  'linearGradient',
  'radialGradient',
  'stop',
  'pattern',
  'clipPath',
  'mask',
  'marker',
  'image',
  'style',
  'filter',
  'feBlend',
  'feColorMatrix',
  'feComponentTransfer',
  'feComposite',
  'feDropShadow',
  'feFlood',
  'feFuncA',
  'feFuncB',
  'feFuncG',
  'feFuncR',
  'feGaussianBlur',
  'feMerge',
  'feMergeNode',
  'feMorphology',
  'feOffset',
  'feTile',
  'feTurbulence',
]);

/** Elements whose content is kept when the element itself goes (a link around a drawing). */
const UNWRAP = new Set(['a']);

const ATTRIBUTES = new Set([
  'id',
  'class',
  'style',
  'transform',
  'lang',
  'role',
  'aria-label',
  'aria-hidden',
  'aria-labelledby',
  'focusable',
  'tabindex',
  'x',
  'y',
  'x1',
  'y1',
  'x2',
  'y2',
  'cx',
  'cy',
  'r',
  'rx',
  'ry',
  'fx',
  'fy',
  'fr',
  'width',
  'height',
  'd',
  'points',
  'pathLength',
  'viewBox',
  'preserveAspectRatio',
  'version',
  'baseProfile',
  'overflow',
  'fill',
  'fill-opacity',
  'fill-rule',
  'stroke',
  'stroke-width',
  'stroke-opacity',
  'stroke-linecap',
  'stroke-linejoin',
  'stroke-miterlimit',
  'stroke-dasharray',
  'stroke-dashoffset',
  'opacity',
  'color',
  'display',
  'visibility',
  'paint-order',
  'vector-effect',
  'shape-rendering',
  'clip-path',
  'clip-rule',
  'clipPathUnits',
  'mask',
  'maskUnits',
  'maskContentUnits',
  'filter',
  'filterUnits',
  'primitiveUnits',
  'mix-blend-mode',
  'isolation',
  'offset',
  'stop-color',
  'stop-opacity',
  'gradientUnits',
  'gradientTransform',
  'spreadMethod',
  'patternUnits',
  'patternContentUnits',
  'patternTransform',
  'marker-start',
  'marker-mid',
  'marker-end',
  'markerWidth',
  'markerHeight',
  'markerUnits',
  'refX',
  'refY',
  'orient',
  'font-family',
  'font-size',
  'font-weight',
  'font-style',
  'font-variant',
  'text-anchor',
  'dominant-baseline',
  'alignment-baseline',
  'baseline-shift',
  'letter-spacing',
  'word-spacing',
  'text-decoration',
  'textLength',
  'lengthAdjust',
  'dx',
  'dy',
  'rotate',
  'startOffset',
  'method',
  'spacing',
  'writing-mode',
  'in',
  'in2',
  'result',
  'mode',
  'type',
  'values',
  'operator',
  'k1',
  'k2',
  'k3',
  'k4',
  'stdDeviation',
  'edgeMode',
  'radius',
  'flood-color',
  'flood-opacity',
  'lighting-color',
  'color-interpolation',
  'color-interpolation-filters',
  'tableValues',
  'slope',
  'intercept',
  'amplitude',
  'exponent',
  'baseFrequency',
  'numOctaves',
  'seed',
  'stitchTiles',
  'media',
  'href',
  'xml:space',
]);

/** Where a local (#id) href is meaningful. */
const LOCAL_HREF = new Set(['use', 'textPath', 'linearGradient', 'radialGradient', 'pattern', 'filter']);
const RASTER_DATA_URL = /^data:image\/(?:png|jpeg|gif|webp);base64,[a-z0-9+/=\s]*$/i;

const XML_ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z][a-z0-9]*);?/gi, (match, ref: string) => {
    if (!match.endsWith(';')) throw new UnsafeSvgError('The SVG has a bare "&"; it is not well-formed XML.');
    if (ref[0] === '#') {
      const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      if (!Number.isFinite(code) || code <= 0 || code > 0x10ffff) throw new UnsafeSvgError('The SVG has an invalid character reference.');
      return String.fromCodePoint(code);
    }
    const value = XML_ENTITIES[ref];
    if (value === undefined) throw new UnsafeSvgError(`The SVG uses the entity &${ref}; which XML does not define (entities are not accepted).`);
    return value;
  });
}

const NAME = /[A-Za-z_:][-A-Za-z0-9_:.]*/y;
const SPACE = /\s*/y;

function parse(source: string): ElementNode {
  let at = 0;
  let nodes = 0;
  const root: ElementNode = { type: 'element', name: '#document', attrs: [], children: [] };
  const stack: ElementNode[] = [root];
  const fail = (why: string): never => {
    throw new UnsafeSvgError(`The SVG is not well-formed XML: ${why}.`);
  };
  const readName = (): string => {
    NAME.lastIndex = at;
    const m = NAME.exec(source);
    if (!m) return fail(`expected a name at character ${at}`);
    at = NAME.lastIndex;
    return m[0];
  };
  const skipSpace = () => {
    SPACE.lastIndex = at;
    SPACE.exec(source);
    at = SPACE.lastIndex;
  };

  while (at < source.length) {
    const top = stack[stack.length - 1];
    if (source.startsWith('<!--', at)) {
      const end = source.indexOf('-->', at + 4);
      if (end < 0) fail('a comment is not closed');
      at = end + 3;
    } else if (source.startsWith('<![CDATA[', at)) {
      const end = source.indexOf(']]>', at + 9);
      if (end < 0) fail('a CDATA section is not closed');
      top.children.push({ type: 'text', value: source.slice(at + 9, end) });
      at = end + 3;
    } else if (source.startsWith('<!', at)) {
      const end = source.indexOf('>', at);
      const decl = source.slice(at, end < 0 ? undefined : end + 1);
      if (!/^<!DOCTYPE/i.test(decl) || end < 0 || stack.length > 1) fail('unexpected markup declaration');
      if (decl.includes('[') || /<!ENTITY/i.test(decl))
        throw new UnsafeSvgError('The SVG declares a DTD with entities, which is not accepted (entities can expand without bound or reach outside the file).');
      at = end + 1;
    } else if (source.startsWith('<?', at)) {
      const end = source.indexOf('?>', at + 2);
      if (end < 0) fail('a processing instruction is not closed');
      at = end + 2; // <?xml ...?>, <?xml-stylesheet ...?>: dropped
    } else if (source.startsWith('</', at)) {
      at += 2;
      const name = readName();
      skipSpace();
      if (source[at] !== '>') fail(`</${name} is not closed`);
      at += 1;
      if (stack.length < 2 || top.name !== name) fail(`</${name}> does not close <${top.name}>`);
      stack.pop();
    } else if (source[at] === '<') {
      at += 1;
      const el: ElementNode = { type: 'element', name: readName(), attrs: [], children: [] };
      if (++nodes > MAX_NODES) throw new UnsafeSvgError(`The SVG has more than ${MAX_NODES} elements.`);
      for (;;) {
        skipSpace();
        if (source.startsWith('/>', at)) {
          at += 2;
          top.children.push(el);
          break;
        }
        if (source[at] === '>') {
          at += 1;
          top.children.push(el);
          stack.push(el);
          if (stack.length > MAX_DEPTH) throw new UnsafeSvgError(`The SVG nests elements more than ${MAX_DEPTH} deep.`);
          break;
        }
        if (at >= source.length) fail(`<${el.name}> is not closed`);
        const name = readName();
        skipSpace();
        if (source[at] !== '=') fail(`attribute ${name} has no value`);
        at += 1;
        skipSpace();
        const quote = source[at];
        if (quote !== '"' && quote !== "'") fail(`the value of ${name} is not quoted`);
        const end = source.indexOf(quote, at + 1);
        if (end < 0) fail(`the value of ${name} is not closed`);
        const raw = source.slice(at + 1, end);
        if (raw.includes('<')) fail(`the value of ${name} contains "<"`);
        if (!el.attrs.some(([n]) => n === name)) el.attrs.push([name, decodeEntities(raw)]);
        at = end + 1;
      }
    } else {
      const end = source.indexOf('<', at);
      const raw = source.slice(at, end < 0 ? undefined : end);
      if (stack.length === 1) {
        if (raw.trim() !== '') fail('there is text outside the <svg> element');
      } else top.children.push({ type: 'text', value: decodeEntities(raw) });
      at = end < 0 ? source.length : end;
    }
  }
  if (stack.length > 1) fail(`<${stack[stack.length - 1].name}> is not closed`);
  const elements = root.children.filter((n): n is ElementNode => n.type === 'element');
  if (elements.length !== 1 || elements[0].name !== 'svg') throw new UnsafeSvgError('The file is not an SVG image: its root element must be <svg>.');
  return elements[0];
}

/** Text a browser would treat as a URL scheme, with the whitespace and control characters it ignores removed. */
const squash = (value: string) => value.replace(/[\u0000-\u0020\u007f-\u009f]+/g, '').toLowerCase();

/** CSS (a style attribute or a <style> element) that could fetch, run or hide something. */
export function unsafeSvgCss(css: string): string | null {
  const flat = squash(css);
  if (flat.includes('\\')) return 'CSS escapes';
  if (flat.includes('@import')) return '@import';
  if (flat.includes('expression(')) return 'expression()';
  if (/javascript:|vbscript:/.test(flat)) return 'a javascript: URL';
  if (/(^|[;{])(-moz-binding|behavior|-ms-behavior):/.test(flat)) return 'behavior/-moz-binding';
  if (/url\((?!['"]?#)/.test(flat) || /image-set\(|src\(/.test(flat)) return 'an external url()';
  if (flat.includes('<')) return '"<"';
  return null;
}

function sanitizeHref(element: string, value: string): string | null {
  const flat = squash(value);
  if (flat.startsWith('#') && LOCAL_HREF.has(element)) return value.trim();
  if (element === 'image' && RASTER_DATA_URL.test(value.trim())) return value.trim();
  return null;
}

function describeHref(value: string): string {
  const flat = squash(value);
  if (flat.startsWith('javascript:') || flat.startsWith('vbscript:')) return 'javascript: link';
  if (flat.startsWith('data:')) return 'data: URL that is not a PNG, JPEG, GIF or WebP image';
  return 'external reference';
}

function sanitizeElement(el: ElementNode, removed: Set<string>, isRoot: boolean): SvgNode[] {
  if (UNWRAP.has(el.name)) {
    removed.add(`<${el.name}> link`);
    return sanitizeChildren(el, removed);
  }
  if (!ELEMENTS.has(el.name)) {
    removed.add(`<${el.name}> element`);
    return [];
  }
  const attrs: [string, string][] = isRoot ? [['xmlns', 'http://www.w3.org/2000/svg']] : [];
  for (const [rawName, value] of el.attrs) {
    const name = rawName === 'xlink:href' ? 'href' : rawName;
    if (/^on/i.test(name)) {
      removed.add(`${name} attribute`);
      continue;
    }
    if (name === 'xmlns' || name.startsWith('xmlns:')) continue; // namespaces are written fresh
    if (!ATTRIBUTES.has(name)) {
      if (!name.includes(':') && !name.startsWith('data-')) removed.add(`${name} attribute`);
      continue;
    }
    if (attrs.some(([n]) => n === name)) continue;
    if (name === 'href') {
      const safe = sanitizeHref(el.name, value);
      if (safe === null) removed.add(describeHref(value));
      else attrs.push([name, safe]);
      continue;
    }
    if (name === 'style') {
      const why = unsafeSvgCss(value);
      if (why) removed.add(`style attribute with ${why}`);
      else attrs.push([name, value]);
      continue;
    }
    const flat = squash(value);
    if (/url\((?!['"]?#)/.test(flat) || /javascript:|vbscript:/.test(flat)) {
      removed.add(`${name} attribute with an external reference`);
      continue;
    }
    attrs.push([name, value]);
  }
  if (el.name === 'style') {
    const css = el.children.map((c) => (c.type === 'text' ? c.value : '')).join('');
    const why = unsafeSvgCss(css);
    if (why) {
      removed.add(`<style> with ${why}`);
      return [];
    }
    return [
      { type: 'element', name: 'style', attrs: attrs.filter(([n]) => n === 'media' || n === 'type' || n === 'id'), children: [{ type: 'text', value: css }] },
    ];
  }
  return [{ type: 'element', name: el.name, attrs, children: sanitizeChildren(el, removed) }];
}

function sanitizeChildren(el: ElementNode, removed: Set<string>): SvgNode[] {
  return el.children.flatMap((child) => (child.type === 'text' ? [child] : sanitizeElement(child, removed, false)));
}

const escapeText = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const escapeAttr = (s: string) => escapeText(s).replace(/"/g, '&quot;');

function serialize(node: SvgNode): string {
  if (node.type === 'text') return escapeText(node.value);
  const attrs = node.attrs.map(([n, v]) => ` ${n}="${escapeAttr(v)}"`).join('');
  if (node.children.length === 0) return `<${node.name}${attrs}/>`;
  return `<${node.name}${attrs}>${node.children.map(serialize).join('')}</${node.name}>`;
}

/** A length in user units (px or unitless); null for %, em and anything else relative. */
function absoluteLength(value: string | undefined): number | null {
  const m = /^\s*([0-9]*\.?[0-9]+(?:e[+-]?\d+)?)\s*(px)?\s*$/i.exec(value ?? '');
  return m ? Number(m[1]) : null;
}

function svgSize(root: ElementNode): { width: number | null; height: number | null } {
  const attr = (name: string) => root.attrs.find(([n]) => n === name)?.[1];
  let width = absoluteLength(attr('width'));
  let height = absoluteLength(attr('height'));
  const box = (attr('viewBox') ?? '')
    .trim()
    .split(/[\s,]+/)
    .map(Number);
  if (box.length === 4 && box.every(Number.isFinite) && box[2] > 0 && box[3] > 0) {
    if (width === null && height === null) [width, height] = [box[2], box[3]];
    else if (width === null && height !== null) width = (height * box[2]) / box[3];
    else if (height === null && width !== null) height = (width * box[3]) / box[2];
  }
  return { width: width === null ? null : Math.round(width), height: height === null ? null : Math.round(height) };
}

/**
 * Parses `source` and writes it back with only safe drawing markup.
 * Throws UnsafeSvgError (with a reason for the uploader) when it cannot.
 *
 * @example sanitizeSvg('<svg onload="alert(1)"><script>x</script><rect width="4" height="4"/></svg>')
 * // { svg: '<svg xmlns="http://www.w3.org/2000/svg"><rect width="4" height="4"/></svg>', removed: ['onload attribute', '<script> element'], ... }
 */
export function sanitizeSvg(source: string): SanitizedSvg {
  const root = parse(source.replace(/^\uFEFF/, ''));
  const removed = new Set<string>();
  const [clean] = sanitizeElement(root, removed, true) as ElementNode[];
  const drawing = clean.children.some((c) => c.type === 'element' && c.name !== 'title' && c.name !== 'desc' && c.name !== 'style');
  if (!drawing)
    throw new UnsafeSvgError(`Nothing drawable is left in the SVG after removing unsafe content${removed.size ? ` (${[...removed].join(', ')})` : ''}.`);
  return { svg: serialize(clean), removed: [...removed], ...svgSize(root) };
}
