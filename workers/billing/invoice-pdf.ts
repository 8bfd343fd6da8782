/**
 * A one-page PDF of an invoice, written by hand: text in the standard
 * Helvetica fonts (no embedding, no dependencies), WinAnsi-encoded. Stripe
 * hosts its own PDFs live (`invoice_pdf`); this is what the account downloads
 * from us, live or in the sandbox, with the same numbers the API shows.
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

/** Unicode → WinAnsi (cp1252) for the characters invoices use; others become "?". */
const WIN_ANSI: Record<string, number> = { '€': 0x80, '‚': 0x82, '„': 0x84, '…': 0x85, '‘': 0x91, '’': 0x92, '“': 0x93, '”': 0x94, '•': 0x95, '–': 0x96, '—': 0x97, '™': 0x99 };

function winAnsi(text: string): string {
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 63;
    if (code >= 0x20 && code < 0x7f) out += ch;
    else if (code >= 0xa0 && code <= 0xff) out += String.fromCharCode(code);
    else out += String.fromCharCode(WIN_ANSI[ch] ?? 63);
  }
  return out;
}

function pdfString(text: string): string {
  return `(${winAnsi(text).replace(/[\\()]/g, (c) => `\\${c}`)})`;
}

/** Helvetica advance widths (1/1000 em) for what amounts are made of; others are estimated. */
const WIDTHS: Record<string, number> = { '0': 556, '1': 556, '2': 556, '3': 556, '4': 556, '5': 556, '6': 556, '7': 556, '8': 556, '9': 556, '$': 556, '.': 278, ',': 278, '-': 333, ' ': 278 };

function textWidth(text: string, size: number, bold = false): number {
  let units = 0;
  for (const ch of text) units += WIDTHS[ch] ?? (bold ? 611 : 556);
  return (units * size) / 1000;
}

function wrap(text: string, max: number): string[] {
  const words = text.split(/\s+/);
  const out: string[] = [];
  let line = '';
  for (const word of words) {
    if (line && line.length + word.length + 1 > max) {
      out.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) out.push(line);
  return out;
}

const MAX_LINE_ROWS = 30;

export function renderInvoicePdf(doc: InvoiceDocument): Uint8Array<ArrayBuffer> {
  const ops: string[] = [];
  const text = (x: number, y: number, value: string, size = 10, bold = false, gray = false) => {
    ops.push(`BT ${gray ? '0.45 g' : '0 g'} /${bold ? 'F2' : 'F1'} ${size} Tf 1 0 0 1 ${x.toFixed(2)} ${y.toFixed(2)} Tm ${pdfString(value)} Tj ET`);
  };
  const right = (xRight: number, y: number, value: string, size = 10, bold = false) => text(xRight - textWidth(value, size, bold), y, value, size, bold);
  const rule = (y: number) => ops.push(`0.8 G 0.5 w 50 ${y} m 562 ${y} l S`);

  text(50, 740, doc.title, 22, true);
  let y = 716;
  for (const line of doc.from) {
    text(50, y, line, 10, false, true);
    y -= 14;
  }
  let my = 740;
  for (const [label, value] of doc.meta) {
    text(360, my, label, 9, false, true);
    right(562, my, value, 10, true);
    my -= 15;
  }
  if (doc.stamp) {
    ops.push(`BT ${doc.stamp === 'PAID' ? '0.12 0.55 0.3 rg' : '0.8 0.2 0.15 rg'} /F2 16 Tf 1 0 0 1 360 ${my - 12} Tm ${pdfString(doc.stamp)} Tj ET`);
    my -= 30;
  }
  y = Math.min(y, my) - 16;
  text(50, y, 'Bill to', 9, false, true);
  y -= 15;
  for (const line of doc.to) {
    text(50, y, line, 10);
    y -= 14;
  }

  y -= 18;
  text(50, y, 'Description', 9, true);
  right(562, y, 'Amount', 9, true);
  y -= 8;
  rule(y);
  y -= 18;
  const shown = doc.lines.slice(0, MAX_LINE_ROWS);
  for (const line of shown) {
    const rows = wrap(line.description, 80);
    right(562, y, line.amount, 10);
    for (const row of rows) {
      text(50, y, row, 10);
      y -= 13;
    }
    if (line.period) {
      text(50, y, line.period, 8, false, true);
      y -= 12;
    }
    y -= 6;
  }
  if (doc.lines.length > shown.length) {
    text(50, y, `... and ${doc.lines.length - shown.length} more lines (see the API for all of them)`, 9, false, true);
    y -= 18;
  }
  rule(y + 6);
  y -= 14;
  for (const [label, value] of doc.totals) {
    const bold = label.startsWith('Amount');
    text(360, y, label, 10, bold);
    right(562, y, value, 10, bold);
    y -= 16;
  }
  text(50, 50, doc.footer, 8, false, true);

  const content = ops.join('\n');
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R /F2 5 0 R >> >> /Contents 6 0 R >>',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>',
    `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
    `<< /Title ${pdfString(doc.title)} /Producer (Edge CRM) >>`,
  ];
  let out = '%PDF-1.4\n%\xe2\xe3\xcf\xd3\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R /Info 7 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  // Every character is one byte (WinAnsi), so string offsets are byte offsets.
  const bytes = new Uint8Array(out.length);
  for (let i = 0; i < out.length; i++) bytes[i] = out.charCodeAt(i) & 0xff;
  return bytes;
}
