// Registry of subcommands: each file registers one command on the program.
import type { Command } from 'commander';

export type CommandRegistrar = (program: Command) => void;

export const COMMANDS: Record<string, () => Promise<CommandRegistrar>> = {
  list: async () => (await import('./list.ts')).default,
  run: async () => (await import('./run.ts')).default,
  sweep: async () => (await import('./sweep.ts')).default,
  gate: async () => (await import('./gate.ts')).default,
  runs: async () => (await import('./runs.ts')).default,
  query: async () => (await import('./query.ts')).default,
  store: async () => (await import('./store.ts')).default,
  load: async () => (await import('./load.ts')).default,
  report: async () => (await import('./report.ts')).default,
  serve: async () => (await import('./serve.ts')).default,
  token: async () => (await import('./token.ts')).default,
  k6: async () => (await import('./k6.ts')).default,
  simulate: async () => (await import('./simulate.ts')).default,
};
