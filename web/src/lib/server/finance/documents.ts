// The finance documents the download endpoints serve (rendering lives with the other activities).
export { renderInvoice } from '#activities/pdf/invoice.ts';
export { renderRemittance } from '#activities/pdf/remittance.ts';
export { renderStatement } from '#activities/pdf/statement.ts';
export { statementCsv } from '#activities/finance/statement.ts';
export { renderCreditNote } from '#activities/pdf/credit-note.ts';
