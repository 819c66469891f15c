// What a tenant's repair report means before anyone at the agency reads it: the categories the public report
// page offers, the first aid it shows for each, and the emergency rules. Pure and deterministic (no clock, no
// database): the page shows the same answer the server stores, and the rules are tested on their own. The
// rules come first and are not the agency's to edit: a gas smell is always "leave and call 0800 111 999".

export const REPORT_CATEGORIES = [
  'leak',
  'heating',
  'electrics',
  'gas',
  'locks',
  'damp',
  'appliances',
  'pests',
  'other',
] as const;
export type ReportCategory = (typeof REPORT_CATEGORIES)[number];

export const CATEGORY_LABELS: Record<ReportCategory, string> = {
  leak: 'Leak or water coming in',
  heating: 'Heating or hot water',
  electrics: 'Electrics',
  gas: 'Gas smell',
  locks: 'Doors, windows or locks',
  damp: 'Damp or mould',
  appliances: 'Appliances',
  pests: 'Pests',
  other: 'Something else',
};

export const GAS_EMERGENCY_NUMBER = '0800 111 999';

/** Said before anything else when a tenant smells gas. */
export const GAS_INSTRUCTION =
  `Leave the property now and call the National Gas Emergency number ${GAS_EMERGENCY_NUMBER} (free, 24 hours) ` +
  'from outside. Do not use light switches, flames or anything electrical. If you can, turn off the gas at the ' +
  'meter and open doors and windows on your way out. Then tell us here.';

/** First aid the page shows for each category while the tenant waits (sensible defaults; agencies may add
 * their own words later). */
export const FIRST_AID: Record<ReportCategory, string[]> = {
  leak: [
    'Turn off the water at the stopcock (usually under the kitchen sink, or where the water pipe enters the home).',
    'If water is near lights or sockets, switch off the electricity at the consumer unit (fuse box).',
    'Catch drips with a bucket or towels and move belongings out of the way.',
  ],
  heating: [
    'Check the boiler display for a fault code and the pressure gauge: below 1 bar often means it needs topping up.',
    'Check the thermostat and timer are on and set high enough, and that the boiler has power.',
    'In frosty weather a frozen condensate pipe (the white plastic pipe outside) stops many boilers: pour warm (not boiling) water over it.',
  ],
  electrics: [
    'Look at the consumer unit (fuse box): if a switch has tripped, unplug appliances on that circuit and switch it back on.',
    'If it trips again straight away, leave it off and tell us which circuit it is.',
    'If your neighbours have no power either, it is a power cut: call 105.',
  ],
  gas: [GAS_INSTRUCTION],
  locks: [
    'If you cannot lock the property, stay with it if you safely can, or ask someone you trust to.',
    'Try a little lubricant on a stiff lock; do not force the key.',
  ],
  damp: [
    'Open windows for a while each day and use extractor fans when cooking or showering.',
    'Wipe condensation off windows in the morning and keep furniture a little away from outside walls.',
    'Photos of the affected walls help us decide what is needed.',
  ],
  appliances: [
    'Check the appliance is plugged in, switched on at the socket, and that the socket works with something else.',
    'Check the consumer unit (fuse box) for a tripped switch.',
  ],
  pests: [
    'Keep food in sealed containers and clear crumbs and rubbish away.',
    'Note where you see droppings or damage: photos help.',
  ],
  other: ['Tell us what is wrong and add photos if you can.'],
};

/** What the tenant tells the page about how bad it is (checkboxes; unticked is false). */
export interface ReportFacts {
  /** Someone at home is elderly, disabled, very young, pregnant or unwell. */
  vulnerable: boolean;
  /** No heating at all. */
  noHeat: boolean;
  /** Water is still coming in and cannot be stopped. */
  uncontainedWater: boolean;
  /** No electricity anywhere in the home. */
  noPower: boolean;
  /** The home cannot be locked or secured. */
  insecure: boolean;
}

export const NO_FACTS: ReportFacts = {
  vulnerable: false,
  noHeat: false,
  uncontainedWater: false,
  noPower: false,
  insecure: false,
};

export interface Assessment {
  emergency: boolean;
  /** Why it is an emergency, in words staff and the tenant read; null when it is not one. */
  reason: string | null;
  /** The priority code the report suggests (the default P1 Emergency, P2 Urgent, P3 Routine). */
  suggestedPriority: 'P1' | 'P2' | 'P3';
  /** The instruction shown before anything else (the gas one), or null. */
  firstInstruction: string | null;
}

/** Winter for "no heat" purposes: 1 October to 30 April, by the month in the UK (`ukMonth`, 1–12). */
export const isHeatingSeason = (ukMonth: number) => ukMonth >= 10 || ukMonth <= 4;

/** The UK month (1–12) of an instant: months turn at UK midnight. */
export function ukMonthOf(at: Date): number {
  const month = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', month: 'numeric' }).format(at);
  return Number(month);
}

/** Urgent without being an emergency: categories where waiting days makes things worse or unsafe. */
const URGENT_CATEGORIES: ReadonlySet<ReportCategory> = new Set(['leak', 'heating', 'electrics', 'locks']);

/**
 * The emergency rules, in order: the first that holds is the reason. Deterministic: the same category, facts
 * and UK month always give the same answer.
 */
export function assessReport(category: ReportCategory, facts: ReportFacts, ukMonth: number): Assessment {
  const emergency = (reason: string, firstInstruction: string | null = null): Assessment => ({
    emergency: true,
    reason,
    suggestedPriority: 'P1',
    firstInstruction,
  });
  if (category === 'gas') return emergency('Gas smell reported', GAS_INSTRUCTION);
  if (facts.uncontainedWater) return emergency('Water coming in that cannot be stopped');
  if (facts.noPower) return emergency('No electricity in the home');
  if (facts.insecure) return emergency('The property cannot be secured');
  if (facts.noHeat && facts.vulnerable && isHeatingSeason(ukMonth))
    return emergency('No heating in winter for a vulnerable household');
  const urgent = facts.noHeat || URGENT_CATEGORIES.has(category);
  return { emergency: false, reason: null, suggestedPriority: urgent ? 'P2' : 'P3', firstInstruction: null };
}

/** The job type code (the agency defaults) a report of this category most likely becomes. */
export const CATEGORY_JOB_TYPE: Record<ReportCategory, string> = {
  leak: 'LEAK',
  heating: 'BOILER',
  electrics: 'ELEC',
  gas: 'BOILER',
  locks: 'LOCK',
  damp: 'GENERAL',
  appliances: 'GENERAL',
  pests: 'GENERAL',
  other: 'GENERAL',
};
