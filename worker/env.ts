// Process configuration, validated once at the edge. Unset means the embedded defaults.
import { z } from 'zod';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '#workflows/time.ts';

const UNIT_MS = { d: DAY_MS, h: HOUR_MS, m: MINUTE_MS, s: 1000 } as const;

/**
 * "+3d", "-2h", "+1d12h", "90m": a signed span in days, hours, minutes and seconds, as milliseconds.
 * Dev only: it moves the embedded engine's clock (see docs/operations.md).
 */
const clockOffset = z
  .string()
  .trim()
  .regex(/^[+-]?(\d+[dhms])+$/, 'a signed span such as +3d, -2h or +1d12h (units d, h, m, s)')
  .transform((text) => {
    const sign = text.startsWith('-') ? -1 : 1;
    const parts = [...text.matchAll(/(\d+)([dhms])/g)];
    return sign * parts.reduce((ms, [, n, unit]) => ms + Number(n) * UNIT_MS[unit as keyof typeof UNIT_MS], 0);
  });

const schema = z
  .object({
    /** Read here only so that dev-only settings can be refused in production. */
    NODE_ENV: z.string().optional(),
    DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
    DATA_DIR: z.string().min(1).default('.data'),
    PORT: z.coerce.number().int().min(1).max(65535).default(3000),
    HOST: z.string().default('0.0.0.0'),
    ORIGIN: z.url().optional(),
    JOB_ENGINE: z.enum(['embedded', 'temporal', 'auto']).default('auto'),
    TEMPORAL_ADDRESS: z.string().min(1).optional(),
    TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
    TEMPORAL_TASK_QUEUE: z.string().min(1).default('fettle-jobs'),
    TEMPORAL_UI_URL: z.url().optional(),
    /** `off` for web-only processes: they start and send to jobs, while separate workers (npm run worker) run them. */
    TEMPORAL_WORKER: z.enum(['on', 'off']).default('on'),
    // Remote clusters (read by connectionOptionsFromEnv): an API key, or an mTLS pair, or plain TLS.
    TEMPORAL_API_KEY: z.string().min(1).optional(),
    TEMPORAL_TLS_CLIENT_CERT_PATH: z.string().min(1).optional(),
    TEMPORAL_TLS_CLIENT_KEY_PATH: z.string().min(1).optional(),
    TEMPORAL_TLS: z.enum(['true', 'false']).optional(),
    /** Signs sessions; unset: a random secret kept in DATA_DIR. */
    BETTER_AUTH_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    SMTP_URL: z.url({ protocol: /^smtps?$/ }).optional(),
    /** The local-only dev mailbox page (web/src/lib/server/security/dev-mailbox.ts); never on in production. */
    DEV_MAILBOX: z
      .enum(['1', '0', 'true', 'false'])
      .optional()
      .transform((v) => (v === undefined ? undefined : v === '1' || v === 'true')),
    MAIL_FROM: z.string().default('Fettle <no-reply@fettle.local>'),
    /** Tile layer for the coverage map, e.g. https://tile.openstreetmap.org/{z}/{x}/{y}.png. Unset: plain background (works offline). */
    MAP_TILE_URL: z.string().min(1).optional(),
    MAP_TILE_ATTRIBUTION: z.string().min(1).optional(),
    /** Optional isochrone service for travel-time areas (see web/src/lib/server/map/isochrone.ts); unset: estimate. */
    ISOCHRONE_URL: z.url().optional(),
    /** postcodes.io (https://api.postcodes.io, or self-hosted) for postcode and district locations; unset: the imported and offline tables. */
    POSTCODES_IO_URL: z.url({ protocol: /^https?$/ }).optional(),
    SEED_DEMO: z
      .enum(['true', 'false'])
      .default('true')
      .transform((v) => v === 'true'),
    /** Dev only: the embedded engine runs this far ahead (or behind) real time, in ms. Unset: real time. */
    ENGINE_CLOCK_OFFSET: clockOffset.optional(),
  })
  .refine((e) => !(e.NODE_ENV === 'production' && e.ENGINE_CLOCK_OFFSET), {
    message:
      'is for development only and is refused with NODE_ENV=production: unset it (deadlines would fire at the wrong time for real jobs)',
    path: ['ENGINE_CLOCK_OFFSET'],
  })
  .refine((e) => !e.TEMPORAL_TLS_CLIENT_CERT_PATH === !e.TEMPORAL_TLS_CLIENT_KEY_PATH, {
    message: 'set both TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH, or neither',
    path: ['TEMPORAL_TLS_CLIENT_KEY_PATH'],
  });

export type Env = z.infer<typeof schema>;

/** The app's address for links in email: ORIGIN, or this machine's port when it is unset (local use). */
export const appUrl = (env: Pick<Env, 'ORIGIN' | 'PORT'>): string =>
  (env.ORIGIN ?? `http://localhost:${env.PORT}`).replace(/\/+$/, '');

export function readEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const parsed = schema.safeParse(Object.fromEntries(Object.entries(source).filter(([, v]) => v !== '')));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n');
    throw new Error(`Invalid environment:\n${problems}`);
  }
  return parsed.data;
}
