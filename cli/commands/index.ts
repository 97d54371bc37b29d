// Registry of subcommands: each file registers one command on the program.
import type { Command } from 'commander';

export type CommandRegistrar = (program: Command) => void;

export const COMMANDS: Record<string, () => Promise<CommandRegistrar>> = {
  gate: async () => (await import('./gate.ts')).default,
  report: async () => (await import('./report.ts')).default,
};
