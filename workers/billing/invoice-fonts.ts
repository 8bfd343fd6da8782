import type { PDFDocument } from '@cantoo/pdf-lib';
import * as fontkit from 'fontkit';
import latinBold from '@fontsource/noto-sans/files/noto-sans-latin-700-normal.woff';
import latin from '@fontsource/noto-sans/files/noto-sans-latin-400-normal.woff';
import latinExtBold from '@fontsource/noto-sans/files/noto-sans-latin-ext-700-normal.woff';
import latinExt from '@fontsource/noto-sans/files/noto-sans-latin-ext-400-normal.woff';
import greekBold from '@fontsource/noto-sans/files/noto-sans-greek-700-normal.woff';
import greek from '@fontsource/noto-sans/files/noto-sans-greek-400-normal.woff';
import cyrillicBold from '@fontsource/noto-sans/files/noto-sans-cyrillic-700-normal.woff';
import cyrillic from '@fontsource/noto-sans/files/noto-sans-cyrillic-400-normal.woff';
import cyrillicExtBold from '@fontsource/noto-sans/files/noto-sans-cyrillic-ext-700-normal.woff';
import cyrillicExt from '@fontsource/noto-sans/files/noto-sans-cyrillic-ext-400-normal.woff';
import vietnameseBold from '@fontsource/noto-sans/files/noto-sans-vietnamese-700-normal.woff';
import vietnamese from '@fontsource/noto-sans/files/noto-sans-vietnamese-400-normal.woff';
import japanese from '@fontsource/noto-sans-jp/files/noto-sans-jp-japanese-400-normal.woff';
import { sfntFromWoff } from './woff';

/**
 * The fonts invoice PDFs are set in: Noto Sans (Latin, Latin Extended,
 * Greek, Cyrillic, Vietnamese) and, for Chinese characters and kana, Noto
 * Sans JP. Fontsource ships each script as its own file, so a string is set
 * as runs, each in the first font that has its characters. Only the fonts a
 * document uses are embedded, and only their glyphs (pdf-lib subsets them),
 * so an invoice for "Zoë Müller" carries a few kilobytes of font and one for
 * 山田 a few more; the 1.4 MB Japanese file is only read when a name needs it.
 */

export interface FontFile {
  name: string;
  woff: ArrayBuffer;
}

const file = (name: string, woff: ArrayBuffer): FontFile => ({ name, woff });

const JAPANESE = file('NotoSansJP', japanese);
const REGULAR: FontFile[] = [
  file('NotoSans-Latin', latin),
  file('NotoSans-LatinExt', latinExt),
  file('NotoSans-Greek', greek),
  file('NotoSans-Cyrillic', cyrillic),
  file('NotoSans-CyrillicExt', cyrillicExt),
  file('NotoSans-Vietnamese', vietnamese),
  JAPANESE,
];
/** Bold falls back to the regular faces for scripts it has no bold file for (CJK). */
const BOLD: FontFile[] = [
  file('NotoSans-Bold-Latin', latinBold),
  file('NotoSans-Bold-LatinExt', latinExtBold),
  file('NotoSans-Bold-Greek', greekBold),
  file('NotoSans-Bold-Cyrillic', cyrillicBold),
  file('NotoSans-Bold-CyrillicExt', cyrillicExtBold),
  file('NotoSans-Bold-Vietnamese', vietnameseBold),
  ...REGULAR,
];

export const fontStack = (bold: boolean): readonly FontFile[] => (bold ? BOLD : REGULAR);

export interface LoadedFont {
  /** The unpacked TrueType bytes, what pdf-lib embeds. */
  bytes: Uint8Array<ArrayBuffer>;
  font: fontkit.Font;
}

/** Each file is unpacked and parsed once per isolate, and only when a character reaches it. */
const loaded = new Map<FontFile, Promise<LoadedFont>>();
const parsed = new WeakMap<Uint8Array, fontkit.Font>();

export function loadFont(file: FontFile): Promise<LoadedFont> {
  let font = loaded.get(file);
  if (!font) {
    font = sfntFromWoff(file.woff).then((bytes) => {
      // fontkit reads any Uint8Array; its types ask for a Node Buffer.
      const parsedFont = fontkit.create(bytes as unknown as Buffer);
      if ('fonts' in parsedFont) throw new Error(`${file.name} is a font collection`);
      parsed.set(bytes, parsedFont);
      return { bytes, font: parsedFont };
    });
    loaded.set(file, font);
  }
  return font;
}

/**
 * What pdf-lib is given as fontkit: hands back the font already parsed for
 * these bytes, so each invoice does not parse (and lay out glyphs of) the
 * same fonts again.
 */
export const cachedFontkit: Parameters<PDFDocument['registerFontkit']>[0] = {
  create: (bytes, postscriptName) => parsed.get(bytes) ?? fontkit.create(bytes as unknown as Buffer, postscriptName),
};

export interface TextRun {
  text: string;
  font: FontFile;
}

/**
 * Splits text into runs that one font can set each: every character in the
 * first font of the stack that has it (so spaces and digits are always set in
 * Noto Sans). A character no font has is set in the first font, which draws
 * its "missing glyph" box rather than a wrong letter.
 *
 * @example await runsOf('Zoë 山田', fontStack(false)) // [{ text: 'Zoë ', font: Latin }, { text: '山田', font: NotoSansJP }]
 */
export async function runsOf(text: string, stack: readonly FontFile[]): Promise<TextRun[]> {
  const runs: TextRun[] = [];
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0xfffd;
    let chosen = stack[0];
    for (const candidate of stack) {
      if ((await loadFont(candidate)).font.hasGlyphForCodePoint(code)) {
        chosen = candidate;
        break;
      }
    }
    const current = runs[runs.length - 1];
    if (current && current.font === chosen) current.text += ch;
    else runs.push({ text: ch, font: chosen });
  }
  return runs;
}
