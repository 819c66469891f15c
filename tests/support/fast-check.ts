// Property-based tests run with a fixed seed in CI, so a red run is reproducible and never a dice roll.
// FC_SEED=<n> replays any seed (fast-check prints the failing seed and path); locally, without CI or
// FC_SEED, every run draws a fresh seed so the properties keep exploring. The summary reporter prints
// which it was.
import fc from 'fast-check';

export const CI_SEED = 20261204;

/** The seed this run uses, or undefined for fresh random seeds. */
export function fastCheckSeed(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const fromEnv = env.FC_SEED;
  if (fromEnv !== undefined && fromEnv !== '') {
    const seed = Number(fromEnv);
    if (!Number.isSafeInteger(seed)) throw new Error(`FC_SEED must be an integer, got "${fromEnv}"`);
    return seed;
  }
  return env.CI ? CI_SEED : undefined;
}

const seed = fastCheckSeed();
if (seed !== undefined) fc.configureGlobal({ seed });
