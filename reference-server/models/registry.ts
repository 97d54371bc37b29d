// Every storage model chatbench knows. A new model is a new folder with its migrations and one
// line here; the contract tests, the differential test, every scenario, the report and the gates
// pick it up from this registry.
//
// Models outside the source tree (an experiment, the test suite's own model) are registered from
// a module whose default export is a ModelDefinition: `loadModelModule(path)`, or the
// CHATBENCH_MODEL_MODULES environment variable (paths separated by the platform's path
// delimiter) read by the CLI. The paths loaded are handed to every server node a run starts, so
// the child processes know the same models.
import { isAbsolute, resolve } from 'node:path';
import { delimiter } from 'node:path';
import { pathToFileURL } from 'node:url';
import { hybrid } from './hybrid/hybrid.ts';
import { naive } from './naive/naive.ts';
import type { ModelDefinition } from './types.ts';
import { watermark } from './watermark/watermark.ts';
import { writeBehind } from './write-behind/write-behind.ts';

// null prototype: `--models constructor` must find no model, not Object.prototype.constructor
export const MODELS: Record<string, ModelDefinition> = Object.assign(Object.create(null) as Record<string, ModelDefinition>, {
  naive,
  watermark,
  'write-behind': writeBehind,
  hybrid,
});

/** The models that ship with chatbench (before any module adds its own): what the shipped calibration covers. */
export const SHIPPED_MODELS: readonly string[] = Object.freeze(Object.keys(MODELS));

/** What a run compares unless told otherwise: the spec's two, and fast. */
export const DEFAULT_MODELS = ['naive', 'watermark'];

export const MODEL_MODULES_ENV = 'CHATBENCH_MODEL_MODULES';

const MODEL_ID = /^[a-z][a-z0-9-]{0,31}$/;
const loadedModules: string[] = [];

export class ModelModuleError extends Error {
  override name = 'ModelModuleError';
}

export function modelIds(): string[] {
  return Object.keys(MODELS);
}

export function getModel(id: string): ModelDefinition {
  const definition = MODELS[id];
  if (!definition) throw new Error(`unknown model "${id}"; valid models: ${modelIds().join(', ')}`);
  return definition;
}

/** Registers the model a module exports by default; loading the same path twice is a no-op. */
export async function loadModelModule(path: string): Promise<ModelDefinition> {
  const absolute = isAbsolute(path) ? path : resolve(path);
  let module: { default?: unknown };
  try {
    module = (await import(pathToFileURL(absolute).href)) as { default?: unknown };
  } catch (error) {
    throw new ModelModuleError(`model module ${path}: cannot load (${error instanceof Error ? error.message : String(error)})`);
  }
  const definition = module.default as ModelDefinition | undefined;
  const problem = definitionProblem(definition);
  if (problem) throw new ModelModuleError(`model module ${path}: ${problem}`);
  const existing = MODELS[definition!.id];
  if (existing && existing !== definition) throw new ModelModuleError(`model module ${path}: a model "${definition!.id}" is already registered`);
  MODELS[definition!.id] = definition!;
  if (!loadedModules.includes(absolute)) loadedModules.push(absolute);
  return definition!;
}

/** Loads every module named in CHATBENCH_MODEL_MODULES. */
export async function loadModelModulesFromEnv(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  for (const path of (env[MODEL_MODULES_ENV] ?? '').split(delimiter).filter(Boolean)) await loadModelModule(path);
}

/** The modules loaded so far, absolute: a run's server nodes load them too. */
export function loadedModelModules(): string[] {
  return [...loadedModules];
}

function definitionProblem(definition: ModelDefinition | undefined): string | undefined {
  if (!definition || typeof definition !== 'object') return 'no default export (expected a ModelDefinition)';
  if (typeof definition.id !== 'string' || !MODEL_ID.test(definition.id)) return `model id ${JSON.stringify(definition.id)}: expected lower-case letters, digits and "-"`;
  for (const key of ['description', 'design', 'migrationsDir'] as const) {
    if (typeof definition[key] !== 'string' || definition[key].length === 0) return `"${key}" must be a non-empty string`;
  }
  for (const key of ['traits', 'create'] as const) if (typeof definition[key] !== 'function') return `"${key}" must be a function`;
  if (typeof definition.options !== 'object' || definition.options === null) return '"options" must be an object (may be empty)';
  if (typeof definition.capabilities !== 'object' || definition.capabilities === null) return '"capabilities" must be an object (may be empty)';
  if (typeof definition.client?.cachesSettings !== 'boolean') return '"client.cachesSettings" must be a boolean';
  return undefined;
}
