// The agency's logo on its documents (agency invoice and credit note, Job Sheet, remittance advice,
// statement): a PNG or JPEG drawn into a fixed box at the top right of the first page, scaled to fit and
// keeping its aspect ratio.
//
// pdfkit decodes some PNGs only while the document is being written, in a callback that throws on bad data:
// an unreadable logo would crash the process, not just fail one PDF. So a logo is read in full here when it
// is uploaded (`readableLogo`: every chunk's checksum, the image data inflated to the size its header
// promises), and only what passes is ever stored and drawn.
import { crc32, inflateSync } from 'node:zlib';
import PDFDocument from 'pdfkit';

/** The box the logo is scaled into, in points (72 to the inch): about 56 × 21 mm. */
export const LOGO_BOX = { width: 160, height: 60 } as const;

/** Larger than any logo needs; also bounds the memory a small, highly compressed file could ask for. */
const MAX_PIXELS = 16_000_000;
const MAX_SIDE = 8000;

export interface LogoImage {
  type: 'image/png' | 'image/jpeg';
  width: number;
  height: number;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** Samples per pixel by PNG colour type (grey, RGB, palette, grey + alpha, RGBA). */
const PNG_CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

function readablePng(bytes: Buffer): LogoImage | null {
  if (!bytes.subarray(0, 8).equals(PNG_SIGNATURE)) return null;
  let pos = 8;
  let header: { width: number; height: number; depth: number; colour: number; interlaced: boolean } | null = null;
  let palette = false;
  let ended = false;
  const data: Buffer[] = [];
  while (pos + 12 <= bytes.length) {
    const length = bytes.readUInt32BE(pos);
    const type = bytes.toString('latin1', pos + 4, pos + 8);
    const end = pos + 12 + length;
    if (end > bytes.length) return null;
    const body = bytes.subarray(pos + 8, pos + 8 + length);
    if (crc32(bytes.subarray(pos + 4, pos + 8 + length)) !== bytes.readUInt32BE(pos + 8 + length)) return null;
    if (type === 'IHDR') {
      if (header || length !== 13) return null;
      header = {
        width: body.readUInt32BE(0),
        height: body.readUInt32BE(4),
        depth: body[8] ?? 0,
        colour: body[9] ?? -1,
        interlaced: body[12] === 1,
      };
    } else if (!header) return null;
    if (type === 'PLTE') palette = true;
    if (type === 'IDAT') data.push(body);
    pos = end;
    if (type === 'IEND') {
      ended = true;
      break;
    }
  }
  if (!header || !ended || data.length === 0) return null;
  const { width, height, depth, colour, interlaced } = header;
  const channels = PNG_CHANNELS[colour];
  if (!channels || ![1, 2, 4, 8, 16].includes(depth) || (colour === 3 && !palette)) return null;
  if (width < 1 || height < 1 || width > MAX_SIDE || height > MAX_SIDE || width * height > MAX_PIXELS) return null;
  // Each row is a filter byte and its samples; an interlaced image has a few more rows (its passes), never fewer bytes.
  const rowBytes = Math.ceil((width * channels * depth) / 8);
  const expected = height * (1 + rowBytes);
  try {
    const pixels = inflateSync(Buffer.concat(data), { maxOutputLength: expected * 2 + 1024 });
    if (interlaced ? pixels.length < height : pixels.length < expected) return null;
  } catch {
    return null;
  }
  return { type: 'image/png', width, height };
}

function readableJpeg(bytes: Buffer): LogoImage | null {
  try {
    // pdfkit's JPEG reader works synchronously: what it cannot read, it refuses here.
    const doc = new PDFDocument({ autoFirstPage: false }) as unknown as {
      openImage(src: Buffer): { width: number; height: number; colorSpace?: string };
    };
    const image = doc.openImage(bytes);
    const { width, height } = image;
    if (!image.colorSpace || !(width >= 1 && height >= 1) || width > MAX_SIDE || height > MAX_SIDE) return null;
    if (width * height > MAX_PIXELS) return null;
    return { type: 'image/jpeg', width, height };
  } catch {
    return null;
  }
}

/** The logo's type and size if every document can draw it; null for anything else (or a damaged file). */
export function readableLogo(bytes: Uint8Array): LogoImage | null {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buffer[0] === 0x89) return readablePng(buffer);
  if (buffer[0] === 0xff && buffer[1] === 0xd8) return readableJpeg(buffer);
  return null;
}

/**
 * Draws the logo into the top-right box of the page (`right` is the page's right margin edge, `top` its top
 * margin). Returns the width the logo takes from the top of the page (0 without one), so headings beside it
 * can stop short of it. A logo that cannot be drawn leaves the document as it would be without one.
 */
export function drawLogo(doc: PDFKit.PDFDocument, logo: Buffer | null | undefined, at: { right: number; top: number }) {
  if (!logo) return 0;
  const { x, y } = doc;
  try {
    doc.image(logo, at.right - LOGO_BOX.width, at.top, {
      fit: [LOGO_BOX.width, LOGO_BOX.height],
      align: 'right',
    });
    return LOGO_BOX.width + 12;
  } catch {
    return 0;
  } finally {
    // Drawn beside the text, not in its flow: the heading starts where it would without a logo.
    doc.x = x;
    doc.y = y;
  }
}
