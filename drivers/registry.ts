// Load drivers by id: each runs the same plans and reports the same figures.
import { nodeDriver } from './node/driver.ts';
import type { LoadDriver } from './types.ts';

// null prototype: `--driver constructor` must find no driver, not Object.prototype.constructor
export const DRIVERS: Record<string, () => Promise<LoadDriver>> = Object.assign(Object.create(null) as Record<string, () => Promise<LoadDriver>>, {
  node: async () => nodeDriver,
  // loaded on demand: only a k6 run needs it (and k6 itself, which it looks for when asked)
  k6: async () => (await import('./k6/driver.ts')).k6Driver,
});

export function driverIds(): string[] {
  return Object.keys(DRIVERS);
}
