// The pieces finance forms are validated with, staff's and contractors' alike.
import { z } from 'zod';

export const text = (max: number) => z.string().trim().min(1).max(max);
export const pence = z.number().int().min(0).max(1_000_000_000);
export const isoDate = z.iso.date();
export const key = z.string().trim().min(8).max(100);
