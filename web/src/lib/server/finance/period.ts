// The statement period from a query string: ?from=YYYY-MM-DD&to=YYYY-MM-DD, by default this month to date (UK days).
import { ukDay } from '#workflows/time.ts';
export function periodOf(url: URL, now = new Date()): { from: string; to: string } {
  const today = ukDay(now);
  return { from: url.searchParams.get('from') || `${today.slice(0, 8)}01`, to: url.searchParams.get('to') || today };
}
