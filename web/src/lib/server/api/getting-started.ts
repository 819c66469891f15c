// The "Getting started" card at the top of Settings: what a new agency's admin still has to set up, worked
// out each time from the agency's own data (no checklist table to fall out of step). Each item links to the
// settings section that does it, the logo included (Settings' Logo section: header, portal and PDFs).
import type { agencies } from '#db/schema/index.ts';
import { formatVatNumber } from '#workflows/vat.ts';

export interface ChecklistItem {
  key: 'address' | 'branches' | 'catalogue' | 'portal' | 'sender' | 'logo';
  title: string;
  done: boolean;
  /** Where it stands now, in a sentence. */
  detail: string;
  /** The settings section that does it (an anchor on the Settings page). */
  href: string;
}

export interface GettingStarted {
  items: ChecklistItem[];
  /** Every item done: the card is not shown. */
  complete: boolean;
}

type Agency = Pick<
  typeof agencies.$inferSelect,
  'name' | 'address' | 'vatNumber' | 'portalEnabled' | 'emailSenderName' | 'logoStorageKey'
>;

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export function gettingStarted(
  agency: Agency,
  counts: { branches: number; jobTypes: number; priorities: number },
): GettingStarted {
  const vat = agency.vatNumber
    ? `VAT registration number ${formatVatNumber(agency.vatNumber)}.`
    : 'No VAT number (invoices will not be VAT invoices).';
  const catalogued = counts.priorities > 0 && counts.jobTypes > 0;
  const items: ChecklistItem[] = [
    {
      key: 'address',
      title: 'Address and VAT registration number',
      done: agency.address !== null,
      detail: agency.address
        ? `${agency.address}. ${vat}`
        : `Add the address your invoices give. ${vat.replace(/\.$/, '')}: add it if you are VAT-registered.`,
      href: '#agency',
    },
    {
      key: 'branches',
      title: 'Branches',
      done: counts.branches > 0,
      detail:
        counts.branches > 0
          ? `${plural(counts.branches, 'branch', 'branches')}.`
          : 'Add at least one branch: properties and jobs belong to one.',
      href: '#branches',
    },
    {
      key: 'catalogue',
      title: 'Priorities and job types',
      done: catalogued,
      detail: catalogued
        ? `UK defaults loaded: ${plural(counts.priorities, 'priority', 'priorities')} and ${plural(counts.jobTypes, 'job type')}. Review them.`
        : `Add at least one ${counts.priorities === 0 ? 'priority' : 'job type'}${counts.priorities === 0 && counts.jobTypes === 0 ? ' and one job type' : ''}: every job needs both.`,
      href: counts.priorities === 0 ? '#priorities' : '#job-types',
    },
    {
      // A choice with a safe default, not a gap: it counts as done and shows which way it is set.
      key: 'portal',
      title: 'Contractor portal',
      done: true,
      detail: agency.portalEnabled
        ? 'On: contractors sign in to take jobs and send invoices.'
        : 'Off: contractors cannot sign in to the portal for your agency.',
      href: '#agency',
    },
    {
      key: 'sender',
      title: 'Email sender name',
      done: agency.emailSenderName !== null,
      detail: agency.emailSenderName
        ? `Emails about your jobs come from "${agency.emailSenderName}".`
        : `Emails about your jobs come from "${agency.name}" (your agency name) until you set a sender name.`,
      href: '#agency',
    },
    {
      key: 'logo',
      title: 'Logo',
      done: agency.logoStorageKey !== null,
      detail: agency.logoStorageKey
        ? 'Your logo is on your invoices, Job Sheets and statements, in the header and on the contractor portal.'
        : 'Upload your logo (PNG or JPEG) for your invoices, Job Sheets and statements, the header and the portal.',
      href: '#logo',
    },
  ];
  return { items, complete: items.every((i) => i.done) };
}
