import { grayscale, PDFDocument, rgb, type Color, type PDFFont, type PDFPage } from '@cantoo/pdf-lib';
import { cachedFontkit, fontStack, loadFont, runsOf, type FontFile } from './invoice-fonts';

/**
 * A one-page PDF of an invoice, made with pdf-lib (the maintained
 * @cantoo/pdf-lib fork) and set in embedded Noto
 * fonts, so names and addresses in Latin, Greek, Cyrillic or Vietnamese
 * letters or in Japanese (kana and kanji) come out as written (Zoë, Müller, 山田),
 * and the text can be searched and copied. Stripe hosts its own PDFs live
 * (`invoice_pdf`); this is what the account downloads from us, live or in
 * the sandbox, with the same numbers the API shows.
 */

export interface InvoiceDocument {
  title: string;
  /** Lines under the title, left: who issues it. */
  from: string[];
  /** Lines under "Bill to". */
  to: string[];
  /** Label/value pairs on the right: number, dates, status. */
  meta: Array<[string, string]>;
  lines: Array<{ description: string; period: string | null; amount: string }>;
  totals: Array<[string, string]>;
  /** A large stamp such as PAID or UNPAID. */
  stamp: string | null;
  footer: string;
}

const MAX_LINE_ROWS = 30;
const LEFT = 50;
const RIGHT = 562;
const META_X = 360;
/** Descriptions wrap before the amount column. */
const DESCRIPTION_WIDTH = 400;
const BLACK = grayscale(0);
const GRAY = grayscale(0.45);
const RULE = grayscale(0.8);
const PAID_GREEN = rgb(0.12, 0.55, 0.3);
const UNPAID_RED = rgb(0.8, 0.2, 0.15);

interface Style {
  size?: number;
  bold?: boolean;
  color?: Color;
}

/** Writes text in runs of embedded fonts, embedding each font the first time a run needs it. */
class Typesetter {
  private readonly embedded = new Map<FontFile, PDFFont>();

  constructor(
    private readonly pdf: PDFDocument,
    private readonly page: PDFPage,
  ) {}

  private async runs(text: string, bold: boolean): Promise<Array<{ text: string; font: PDFFont }>> {
    // Control characters (a newline in a name) would otherwise end the line early;
    // NFC turns "e" + combining accent into "é", which every font here has as one glyph.
    const clean = text.normalize('NFC').replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ');
    const out: Array<{ text: string; font: PDFFont }> = [];
    for (const run of await runsOf(clean, fontStack(bold))) {
      let font = this.embedded.get(run.font);
      if (!font) {
        // A subset font's name starts with a six-letter tag (PDF 32000-1, 9.6.4).
        const tag = String.fromCharCode(...crypto.getRandomValues(new Uint8Array(6)).map((b) => 65 + (b % 26)));
        // Without ccmp, a precomposed letter stays one glyph (the Vietnamese file would split
        // "ị" into "i" and a dot that copies out of the PDF as a control character).
        font = await this.pdf.embedFont((await loadFont(run.font)).bytes, { subset: true, customName: `${tag}+${run.font.name}`, features: { ccmp: false } });
        this.embedded.set(run.font, font);
      }
      out.push({ text: run.text, font });
    }
    return out;
  }

  async width(text: string, { size = 10, bold = false }: Style = {}): Promise<number> {
    let width = 0;
    for (const run of await this.runs(text, bold)) width += run.font.widthOfTextAtSize(run.text, size);
    return width;
  }

  async text(x: number, y: number, text: string, { size = 10, bold = false, color = BLACK }: Style = {}): Promise<void> {
    for (const run of await this.runs(text, bold)) {
      this.page.drawText(run.text, { x, y, size, font: run.font, color });
      x += run.font.widthOfTextAtSize(run.text, size);
    }
  }

  async right(xRight: number, y: number, text: string, style: Style = {}): Promise<void> {
    await this.text(xRight - (await this.width(text, style)), y, text, style);
  }

  /** Breaks text into lines no wider than `max`: at spaces, or between characters where a word alone is too wide (CJK has no spaces). */
  async wrap(text: string, max: number, style: Style = {}): Promise<string[]> {
    const lines: string[] = [];
    let line = '';
    for (const word of text.split(/\s+/).filter(Boolean)) {
      const candidate = line ? `${line} ${word}` : word;
      if ((await this.width(candidate, style)) <= max) {
        line = candidate;
        continue;
      }
      if (line) lines.push(line);
      line = '';
      for (const ch of word) {
        if (line && (await this.width(line + ch, style)) > max) {
          lines.push(line);
          line = '';
        }
        line += ch;
      }
    }
    if (line) lines.push(line);
    return lines.length ? lines : [''];
  }
}

export async function renderInvoicePdf(doc: InvoiceDocument): Promise<Uint8Array<ArrayBuffer>> {
  const pdf = await PDFDocument.create();
  pdf.registerFontkit(cachedFontkit);
  pdf.setTitle(doc.title);
  pdf.setProducer('Edge CRM');
  pdf.setCreator('Edge CRM');
  const page = pdf.addPage([612, 792]);
  const t = new Typesetter(pdf, page);
  const rule = (y: number) => page.drawLine({ start: { x: LEFT, y }, end: { x: RIGHT, y }, thickness: 0.5, color: RULE });

  await t.text(LEFT, 740, doc.title, { size: 22, bold: true });
  let y = 716;
  for (const line of doc.from) {
    await t.text(LEFT, y, line, { color: GRAY });
    y -= 14;
  }
  let my = 740;
  for (const [label, value] of doc.meta) {
    await t.text(META_X, my, label, { size: 9, color: GRAY });
    await t.right(RIGHT, my, value, { bold: true });
    my -= 15;
  }
  if (doc.stamp) {
    await t.text(META_X, my - 12, doc.stamp, { size: 16, bold: true, color: doc.stamp === 'PAID' ? PAID_GREEN : UNPAID_RED });
    my -= 30;
  }
  y = Math.min(y, my) - 16;
  await t.text(LEFT, y, 'Bill to', { size: 9, color: GRAY });
  y -= 15;
  for (const line of doc.to) {
    for (const row of await t.wrap(line, RIGHT - LEFT)) {
      await t.text(LEFT, y, row);
      y -= 14;
    }
  }

  y -= 18;
  await t.text(LEFT, y, 'Description', { size: 9, bold: true });
  await t.right(RIGHT, y, 'Amount', { size: 9, bold: true });
  y -= 8;
  rule(y);
  y -= 18;
  const shown = doc.lines.slice(0, MAX_LINE_ROWS);
  for (const line of shown) {
    await t.right(RIGHT, y, line.amount);
    for (const row of await t.wrap(line.description, DESCRIPTION_WIDTH)) {
      await t.text(LEFT, y, row);
      y -= 13;
    }
    if (line.period) {
      await t.text(LEFT, y, line.period, { size: 8, color: GRAY });
      y -= 12;
    }
    y -= 6;
  }
  if (doc.lines.length > shown.length) {
    await t.text(LEFT, y, `... and ${doc.lines.length - shown.length} more lines (see the API for all of them)`, { size: 9, color: GRAY });
    y -= 18;
  }
  rule(y + 6);
  y -= 14;
  for (const [label, value] of doc.totals) {
    const bold = label.startsWith('Amount');
    await t.text(META_X, y, label, { bold });
    await t.right(RIGHT, y, value, { bold });
    y -= 16;
  }
  await t.text(LEFT, 50, doc.footer, { size: 8, color: GRAY });

  // Without object streams the file reads in any PDF 1.4 reader, as the hand-written one did.
  const bytes = await pdf.save({ useObjectStreams: false });
  return new Uint8Array(bytes);
}
