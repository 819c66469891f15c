// Words the contractor portal uses for its filters and the "needs you" flags.
export const VIEW_LABELS = {
  recent: 'Last 30 days',
  active: 'Active',
  pending: 'Offers',
  history: 'History',
  all: 'All',
} as const;

export const VIEW_HINTS: Record<keyof typeof VIEW_LABELS, string> = {
  recent: 'Jobs offered or assigned to you in the last 30 days.',
  active: 'Jobs you have accepted and not yet finished.',
  pending: 'Jobs offered to you, waiting for your answer.',
  history: 'Completed, closed, paid and cancelled jobs.',
  all: 'Every job you hold or are offered at this agency.',
};

export const NEEDS_ACTION_LABELS = {
  respond: 'Accept or decline',
  start: 'Start work',
  complete: 'Finish and mark complete',
  invoice: 'Submit your invoice',
} as const;
