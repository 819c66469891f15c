// Where the portal's agency switcher lands the contractor after switching agency.

/**
 * The page to return to after switching agency from `url`: the same page when it is one of the portal's
 * sections (Jobs with its filter, Statements with its period, …), or that section's list when the page belongs to
 * one job or document of the agency being left (a job, its invoice form): that job is not the other agency's.
 * A "not found" page comes back as it is: a job link from the other agency's email opens once it is theirs.
 */
export function switchReturnPath(url: Pick<URL, 'pathname' | 'search'>, status = 200): string {
  const [, portal, section, ...rest] = url.pathname.split('/');
  if (portal !== 'portal' || !section || section === 'accounts') return '/portal';
  if (rest.length === 0 || status === 404) return `${url.pathname}${url.search}`;
  return `/portal/${section}`;
}
