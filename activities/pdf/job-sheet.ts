// The Job Sheet: one printable page (or a few) a contractor takes to site. Pure rendering over plain
// data; the caller decides what the viewer may see (e.g. the tenant's contact details).
import { formatDateTime } from '#workflows/time.ts';
import { FONT, unicodeDocument } from './fonts.ts';
import { drawLogo, LOGO_BOX } from './logo.ts';
import { htmlToBlocks, printBlocks } from './rich-text.ts';

export interface JobSheetData {
  reference: string;
  title: string;
  status: string;
  priority: string;
  jobType: string | null;
  createdAt: Date;
  slaDueAt: Date | null;
  descriptionHtml: string;
  address: string[];
  accessNotes: string | null;
  tenant: { name: string; phone: string | null; email: string | null } | null;
  agency: {
    name: string;
    phone: string | null;
    email: string | null;
    branch: string | null;
    /** The agency's logo, drawn top right (activities/pdf/logo.ts); none: no logo. */
    logo?: Buffer | null;
  };
  contractor: { name: string; company: string | null; phone: string | null } | null;
  notes: { at: Date; by: string; text: string }[];
  /** Each time the agency sent the work back, oldest first. */
  recalls: { at: Date; by: string; reason: string }[];
  photoCount: number;
  generatedAt: Date;
}

export function renderJobSheet(data: JobSheetData): Promise<Buffer> {
  const doc = unicodeDocument({
    size: 'A4',
    margin: 48,
    info: {
      Title: `Job Sheet ${data.reference}`,
      Author: data.agency.name,
      Subject: data.title,
      CreationDate: data.generatedAt,
    },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  const width = doc.page.width - 96;
  const heading = (text: string) => {
    doc
      .moveDown(0.8)
      .font(FONT.bold)
      .fontSize(11)
      .fillColor('#0f5c4d')
      .text(text.toUpperCase(), { characterSpacing: 0.5 });
    doc
      .moveTo(48, doc.y + 2)
      .lineTo(48 + width, doc.y + 2)
      .strokeColor('#dde3ea')
      .stroke();
    doc.moveDown(0.4).font(FONT.regular).fontSize(10.5).fillColor('#1b2430');
  };
  const field = (label: string, value: string) => {
    doc
      .font(FONT.bold)
      .text(`${label}: `, { continued: true })
      .font(FONT.regular)
      .text(value || '—');
  };

  // The agency's logo top right; the heading beside it stops short of it, and the first section starts below it.
  const beside = width - drawLogo(doc, data.agency.logo, { right: 48 + width, top: 48 });
  doc.font(FONT.bold).fontSize(20).fillColor('#1b2430').text(`Job Sheet · ${data.reference}`, { width: beside });
  doc.font(FONT.regular).fontSize(13).text(data.title, { width: beside });
  doc
    .fontSize(9)
    .fillColor('#5b6776')
    .text(
      `${data.agency.name}${data.agency.branch ? ` · ${data.agency.branch}` : ''} · generated ${formatDateTime(data.generatedAt)}`,
      { width: beside },
    );
  if (data.agency.logo) doc.y = Math.max(doc.y, 48 + LOGO_BOX.height);

  heading('Job');
  field('Status', data.status);
  field('Priority', data.priority);
  if (data.jobType) field('Type', data.jobType);
  field('Raised', formatDateTime(data.createdAt));
  field('SLA due', formatDateTime(data.slaDueAt));
  field('Photos on file', String(data.photoCount));

  heading('Property');
  doc.text(data.address.filter(Boolean).join('\n') || '—');
  if (data.accessNotes) {
    doc.moveDown(0.3);
    field('Access', data.accessNotes);
  }

  heading('Tenant');
  if (data.tenant) {
    field('Name', data.tenant.name);
    if (data.tenant.phone) field('Phone', data.tenant.phone);
    if (data.tenant.email) field('Email', data.tenant.email);
    if (!data.tenant.phone && !data.tenant.email)
      doc.fillColor('#5b6776').text('Contact the agency to arrange access.').fillColor('#1b2430');
  } else {
    doc.text('No tenant recorded. Contact the agency to arrange access.');
  }

  heading('Description');
  // The description keeps its paragraphs, lists, bold and italics (rich-text.ts).
  const description = htmlToBlocks(data.descriptionHtml);
  if (description.length === 0) doc.text('No description.');
  else printBlocks(doc, description, { x: 48, width, size: 10.5, colour: '#1b2430' });

  // What was wrong with the work before: the reason the job came back is what to put right this time.
  if (data.recalls.length > 0) {
    heading('Recalls');
    for (const r of data.recalls) {
      doc
        .font(FONT.bold)
        .fontSize(9)
        .fillColor('#5b6776')
        .text(`${formatDateTime(r.at)} · recalled by ${r.by}`);
      doc
        .font(FONT.regular)
        .fontSize(10.5)
        .fillColor('#1b2430')
        .text(r.reason || 'No reason given.', { width })
        .moveDown(0.3);
    }
  }

  heading('Contractor');
  if (data.contractor) {
    field('Name', data.contractor.name + (data.contractor.company ? `, ${data.contractor.company}` : ''));
    if (data.contractor.phone) field('Phone', data.contractor.phone);
  } else {
    doc.text('Not yet assigned.');
  }

  heading('Agency contact');
  field('Office', data.agency.name);
  if (data.agency.phone) field('Phone', data.agency.phone);
  if (data.agency.email) field('Email', data.agency.email);

  heading('Notes');
  if (data.notes.length === 0) doc.text('No notes yet.');
  for (const n of data.notes) {
    doc
      .font(FONT.bold)
      .fontSize(9)
      .fillColor('#5b6776')
      .text(`${formatDateTime(n.at)} · ${n.by}`);
    doc.font(FONT.regular).fontSize(10.5).fillColor('#1b2430').text(n.text, { width }).moveDown(0.3);
  }

  heading('Sign-off');
  doc.text('Work done / parts used:').moveDown(2.5);
  doc.text('Contractor signature: ____________________________   Date: ______________');
  doc.end();
  return done;
}
