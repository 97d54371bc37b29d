// Model options from the command line: `--model-opt <model>.<option>=<value>`, validated against
// the model's option specs exactly like scenario parameters (same messages, same ranges), for
// models the run actually compares. Defaults are filled in, so results record every value used.
import { ParamError, parseParamValue } from '../../scenarios/define.ts';
import { MODELS, modelIds } from './registry.ts';

export class ModelOptionError extends Error {
  override name = 'ModelOptionError';
}

export type ModelOptions = Record<string, Record<string, number>>;

/** Every option of a model at its default. */
export function defaultOptions(modelId: string): Record<string, number> {
  const definition = MODELS[modelId];
  if (!definition) throw new ModelOptionError(`unknown model "${modelId}"; valid models: ${modelIds().join(', ')}`);
  return Object.fromEntries(Object.entries(definition.options).map(([name, spec]) => [name, spec.default]));
}

/** Parses `--model-opt` entries for the models of a run; errors name the option and the valid choices. */
export function resolveModelOptions(entries: readonly string[], models: readonly string[]): ModelOptions {
  const resolved: ModelOptions = Object.fromEntries(models.map((id) => [id, defaultOptions(id)]));
  for (const entry of entries) {
    const match = /^([^.=\s]+)\.([A-Za-z][A-Za-z0-9]*)=(.*)$/.exec(entry);
    if (!match) throw new ModelOptionError(`--model-opt "${entry}": expected <model>.<option>=<value>, e.g. write-behind.flushMs=500`);
    const [, modelId, name, raw] = match as unknown as [string, string, string, string];
    const definition = MODELS[modelId];
    if (!definition) throw new ModelOptionError(`--model-opt ${modelId}.${name}: unknown model "${modelId}"; valid models: ${modelIds().join(', ')}`);
    if (!models.includes(modelId)) throw new ModelOptionError(`--model-opt ${modelId}.${name}: ${modelId} is not among the models of this run (${models.join(', ')})`);
    const spec = Object.hasOwn(definition.options, name) ? definition.options[name] : undefined;
    const valid = Object.keys(definition.options);
    if (!spec) {
      throw new ModelOptionError(`--model-opt ${modelId}.${name}: unknown option of ${modelId}; ${valid.length ? `valid options: ${valid.join(', ')}` : `${modelId} has no options`}`);
    }
    try {
      resolved[modelId]![name] = parseParamValue(name, raw, spec, `--model-opt ${modelId}.`);
    } catch (error) {
      if (error instanceof ParamError) throw new ModelOptionError(error.message);
      throw error;
    }
  }
  return resolved;
}

/** The `--model-opt` flags that reproduce options that differ from the defaults. */
export function modelOptionFlags(options: ModelOptions): string[] {
  const flags: string[] = [];
  for (const [modelId, values] of Object.entries(options)) {
    const defaults = MODELS[modelId] ? defaultOptions(modelId) : {};
    for (const [name, value] of Object.entries(values)) if (defaults[name] !== value) flags.push(`--model-opt ${modelId}.${name}=${value}`);
  }
  return flags;
}
