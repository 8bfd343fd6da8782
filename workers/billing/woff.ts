/**
 * Unpacks a WOFF 1.0 font (https://www.w3.org/TR/WOFF/) into the plain
 * TrueType/OpenType font it wraps: each table is zlib-compressed on its own,
 * so this inflates the tables and lays them out again behind an sfnt header.
 *
 * Why: fontkit reads WOFF directly, but inflates a table again each time it
 * reads from it, once per glyph; for the Japanese font that is seconds per
 * invoice. Unpacked once per isolate, the same font reads in milliseconds.
 */
export async function sfntFromWoff(woff: ArrayBuffer): Promise<Uint8Array<ArrayBuffer>> {
  const src = new DataView(woff);
  if (src.getUint32(0) !== 0x774f4646) throw new Error('not a WOFF 1.0 font'); // "wOFF"
  const numTables = src.getUint16(12);
  const tables: Array<{ tag: number; checksum: number; data: Uint8Array }> = [];
  for (let i = 0; i < numTables; i++) {
    const entry = 44 + 20 * i;
    const [tag, offset, compLength, origLength, checksum] = [0, 4, 8, 12, 16].map((k) => src.getUint32(entry + k));
    const stored = new Uint8Array(woff, offset, compLength);
    const data = compLength < origLength ? await inflate(stored) : stored;
    if (data.length !== origLength) throw new Error('a WOFF table does not unpack to its stated length');
    tables.push({ tag, checksum, data });
  }
  const padded = (n: number) => (n + 3) & ~3;
  const out = new Uint8Array(tables.reduce((size, t) => size + padded(t.data.length), 12 + 16 * numTables));
  const dst = new DataView(out.buffer);
  const log2 = Math.floor(Math.log2(numTables));
  dst.setUint32(0, src.getUint32(4)); // the wrapped font's flavor: TrueType or CFF
  dst.setUint16(4, numTables);
  dst.setUint16(6, 16 * 2 ** log2);
  dst.setUint16(8, log2);
  dst.setUint16(10, 16 * numTables - 16 * 2 ** log2);
  let at = 12 + 16 * numTables;
  tables.forEach((t, i) => {
    const entry = 12 + 16 * i;
    dst.setUint32(entry, t.tag);
    dst.setUint32(entry + 4, t.checksum);
    dst.setUint32(entry + 8, at);
    dst.setUint32(entry + 12, t.data.length);
    out.set(t.data, at);
    at += padded(t.data.length);
  });
  return out;
}

async function inflate(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('deflate'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}
