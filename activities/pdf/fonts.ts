// The typeface of every PDF the app makes (Job Sheet, invoices, remittances, statements): DejaVu Sans,
// embedded. The PDF standard fonts (Helvetica) cover Western European letters only, so a tenant called
// "Zażółć Gęślą", a contractor "Ștefan Țăranu" or a landlord "Γιώργος Παπαδόπουλος" came out garbled.
// DejaVu Sans covers Latin (all of Europe's), Greek and Cyrillic; its licence (Bitstream Vera, with the
// DejaVu changes in the public domain) allows embedding. The files come from the dejavu-fonts-ttf package.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import PDFDocument from 'pdfkit';

/** Font names to pass to `doc.font`. */
export const FONT = {
  regular: 'DejaVuSans',
  bold: 'DejaVuSans-Bold',
  italic: 'DejaVuSans-Oblique',
  boldItalic: 'DejaVuSans-BoldOblique',
} as const;

// Resolved as the package's files, not relative to this module: the web app runs this module from its bundle
// (build/server), where a path relative to the source would not exist.
const require = createRequire(import.meta.url);
let files: Record<keyof typeof FONT, Buffer> | undefined;
const fontFiles = () =>
  (files ??= {
    regular: readFileSync(require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf')),
    bold: readFileSync(require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf')),
    italic: readFileSync(require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans-Oblique.ttf')),
    boldItalic: readFileSync(require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans-BoldOblique.ttf')),
  });

/**
 * Emoji are not in the font, nor in any one font a PDF can carry: they are dropped rather than printed as
 * empty boxes. That is characters shown as emoji by default, skin tones, the joiners and selectors that build
 * emoji sequences, keycaps and tag characters. Symbols that are text by default (©, ✓, ❤, °) stay, as the font
 * has them.
 */
// eslint-disable-next-line no-misleading-character-class -- the joiner, selectors and keycap are removed one by one, on purpose
const EMOJI = /[\p{Emoji_Presentation}\p{Emoji_Modifier}\u200D\uFE0E\uFE0F\u20E3\u{E0020}-\u{E007F}]/gu;
export const printable = (text: string): string => text.replace(EMOJI, '');

/** A PDF document set in DejaVu Sans, whose every `text` call prints `printable` text. */
export function unicodeDocument(options: PDFKit.PDFDocumentOptions): PDFKit.PDFDocument {
  const doc = new PDFDocument(options);
  // Registered, not embedded: a font goes into the file only once a page uses it (the Job Sheet's description).
  const faces = fontFiles();
  for (const face of Object.keys(FONT) as (keyof typeof FONT)[]) doc.registerFont(FONT[face], faces[face]);
  doc.font(FONT.regular);
  // One place for what is printed: names, notes and addresses reach the page through `text` only.
  const text = doc.text.bind(doc) as (value: unknown, ...rest: unknown[]) => PDFKit.PDFDocument;
  doc.text = (value: unknown, ...rest: unknown[]) =>
    text(typeof value === 'string' ? printable(value) : value, ...rest);
  return doc;
}
