// Shared look for the finance documents (agency invoice, remittance advice, statement): same fonts,
// colours and margins as the Job Sheet, plus a simple money table. Pure rendering over plain data.
import { formatPence } from '#workflows/money.ts';
import { FONT, unicodeDocument } from '../pdf/fonts.ts';
import { drawLogo, LOGO_BOX } from '../pdf/logo.ts';

const INK = '#1b2430';
const MUTED = '#5b6776';
const ACCENT = '#0f5c4d';
const RULE = '#dde3ea';
const MARGIN = 48;

export const money = formatPence;

/** "20%" or "17.5%" from basis points. */
export const ratePercent = (bp: number) => `${bp / 100}%`;

/** An address typed on one line ("12 Queen Square, Bristol BS1 4NT") or several, as lines. */
export const addressLines = (address: string | null) =>
  (address ?? '')
    .split(/\s*[,\n]\s*/)
    .map((l) => l.trim())
    .filter(Boolean);

interface Column {
  header: string;
  width: number;
  align?: 'left' | 'right';
}

export function financeDocument(info: {
  title: string;
  author: string;
  createdAt: Date;
  /** The agency's logo (a PNG or JPEG that passed `readableLogo`), top right of the first page. */
  logo?: Buffer | null;
}) {
  const doc = unicodeDocument({
    size: 'A4',
    margin: MARGIN,
    info: { Title: info.title, Author: info.author, CreationDate: info.createdAt },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  const width = doc.page.width - 2 * MARGIN;

  const rule = () => {
    doc
      .moveTo(MARGIN, doc.y + 2)
      .lineTo(MARGIN + width, doc.y + 2)
      .strokeColor(RULE)
      .stroke();
    doc.moveDown(0.4);
  };
  const heading = (text: string) => {
    doc
      .moveDown(0.8)
      .font(FONT.bold)
      .fontSize(11)
      .fillColor(ACCENT)
      .text(text.toUpperCase(), MARGIN, doc.y, { characterSpacing: 0.5 });
    rule();
    doc.font(FONT.regular).fontSize(10.5).fillColor(INK);
  };
  const field = (label: string, value: string) => {
    doc
      .font(FONT.bold)
      .text(`${label}: `, MARGIN, doc.y, { continued: true })
      .font(FONT.regular)
      .text(value || '—');
  };

  /** A table whose columns are fractions of the page width; long cells wrap, rows grow to fit. */
  const table = (columns: Column[], rows: string[][], options: { boldLast?: boolean } = {}) => {
    const total = columns.reduce((s, c) => s + c.width, 0);
    const cols = columns.map((c) => ({ width: (c.width / total) * width, align: c.align ?? 'left' }));
    const line = (cells: string[], bold: boolean, color = INK) => {
      if (doc.y > doc.page.height - MARGIN - 40) doc.addPage();
      const y = doc.y;
      let x = MARGIN;
      let bottom = y;
      doc
        .font(bold ? FONT.bold : FONT.regular)
        .fontSize(9.5)
        .fillColor(color);
      cols.forEach((col, i) => {
        doc.text(cells[i] ?? '', x + 2, y, { width: col.width - 4, align: col.align });
        bottom = Math.max(bottom, doc.y);
        x += col.width;
      });
      doc.y = bottom + 3;
      doc
        .moveTo(MARGIN, doc.y - 1)
        .lineTo(MARGIN + width, doc.y - 1)
        .strokeColor(RULE)
        .stroke();
      doc.y += 2;
    };
    line(
      columns.map((c) => c.header),
      true,
      MUTED,
    );
    rows.forEach((r, i) => line(r, options.boldLast === true && i === rows.length - 1));
    doc.x = MARGIN;
  };

  /** Label/amount pairs right-aligned under a table (net, VAT, total). */
  const totals = (pairs: [string, string, boolean?][]) => {
    doc.moveDown(0.3);
    for (const [label, value, strong] of pairs) {
      const y = doc.y;
      doc
        .font(strong ? FONT.bold : FONT.regular)
        .fontSize(strong ? 12 : 10.5)
        .fillColor(INK);
      doc.text(label, MARGIN + width * 0.45, y, { width: width * 0.35, align: 'right' });
      doc.text(value, MARGIN + width * 0.8, y, { width: width * 0.2, align: 'right' });
    }
    doc.x = MARGIN;
  };

  /** The document's title and a line under it, beside the agency's logo when it has one. */
  const title = (text: string, subtitle: string) => {
    const beside = width - drawLogo(doc, info.logo, { right: MARGIN + width, top: MARGIN });
    doc.font(FONT.bold).fontSize(20).fillColor(INK).text(text, MARGIN, MARGIN, { width: beside });
    doc.font(FONT.regular).fontSize(9).fillColor(MUTED).text(subtitle, { width: beside });
    doc.fillColor(INK);
    // Below the logo's box whatever the title's length, so the first heading never runs into it.
    if (info.logo) doc.y = Math.max(doc.y, MARGIN + LOGO_BOX.height);
  };

  return { doc, done, width, heading, field, table, totals, title, rule };
}
