// Load drivers by id: each runs the same plans and reports the same figures.
import { nodeDriver } from './node/driver.ts';
import type { LoadDriver } from './types.ts';

export const DRIVERS: Record<string, () => Promise<LoadDriver>> = {
  node: async () => nodeDriver,
};

export function driverIds(): string[] {
  return Object.keys(DRIVERS);
}
