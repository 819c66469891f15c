// What each kind of import reads: its columns (as the template names them), which are required, and the
// template's example row. The header cells are matched loosely (csv.ts `columnKey`).
export const IMPORT_KINDS = ['properties', 'tenants', 'contractors'] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];

export interface ImportColumn {
  /** The header cell the template uses. */
  header: string;
  required: boolean;
  example: string;
  /** What goes in it, for the page's help. */
  about: string;
}

export const IMPORT_LABELS: Record<ImportKind, string> = {
  properties: 'Properties (with landlords)',
  tenants: 'Tenants',
  contractors: 'Contractors',
};

export const IMPORT_COLUMNS: Record<ImportKind, ImportColumn[]> = {
  properties: [
    { header: 'line1', required: true, example: '12 Harbour Lane', about: 'First line of the address' },
    { header: 'line2', required: false, example: 'Flat 2', about: 'Second line' },
    { header: 'town', required: true, example: 'Bristol', about: 'Town' },
    { header: 'postcode', required: true, example: 'BS1 5LJ', about: 'UK postcode' },
    { header: 'branch', required: false, example: '', about: 'One of your branches, by name (as in Settings)' },
    { header: 'access_notes', required: false, example: 'Key safe by the door', about: 'Access notes' },
    { header: 'landlord_name', required: false, example: 'Lena Landlord', about: "The landlord's name" },
    { header: 'landlord_email', required: false, example: 'lena@example.com', about: "The landlord's email" },
    { header: 'landlord_phone', required: false, example: '0117 496 0000', about: "The landlord's phone" },
    {
      header: 'landlord_address',
      required: false,
      example: '1 Owner Road, Bath BA1 1AA',
      about: "The landlord's billing address, on one line",
    },
  ],
  tenants: [
    { header: 'name', required: true, example: 'Tess Tenant', about: "The tenant's name" },
    { header: 'email', required: false, example: 'tess@example.com', about: 'Email (email or phone needed)' },
    { header: 'phone', required: false, example: '07700 900123', about: 'Phone (email or phone needed)' },
    {
      header: 'property_line1',
      required: true,
      example: '12 Harbour Lane',
      about: "First line of the tenant's property (already in Fettle)",
    },
    { header: 'property_postcode', required: true, example: 'BS1 5LJ', about: "The property's postcode" },
  ],
  contractors: [
    { header: 'name', required: true, example: 'Pat Plumber', about: "The contractor's name" },
    { header: 'company', required: false, example: 'Pat Plumbing Ltd', about: 'Company' },
    { header: 'email', required: true, example: 'pat@example.com', about: 'Email (offers and remittances go there)' },
    { header: 'phone', required: false, example: '07700 900456', about: 'Phone' },
    { header: 'trades', required: true, example: 'plumbing; heating', about: 'Trades, separated by ;' },
    {
      header: 'coverage',
      required: false,
      example: 'BS1; BS2; BS8',
      about: 'Postcode districts covered, separated by ;',
    },
    { header: 'base_postcode', required: false, example: 'BS1', about: 'Where they work from' },
  ],
};

/** A CSV cell as the template writes it: quoted when it holds a comma, quote or line break. */
const cell = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);

/** The downloadable template: the header row and one example row. */
export function templateCsv(kind: ImportKind): string {
  const columns = IMPORT_COLUMNS[kind];
  return `${columns.map((c) => cell(c.header)).join(',')}\r\n${columns.map((c) => cell(c.example)).join(',')}\r\n`;
}
