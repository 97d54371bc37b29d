// Scenario and model options for the simulate commands, validated at the boundary without
// loading anything that runs (no driver, no database): predict must stay fast.
import { MODELS, modelIds } from '../../reference-server/models/registry.ts';
import { ParamError, resolveParams } from '../../scenarios/define.ts';
import { SCENARIOS, scenarioIds } from '../../scenarios/registry.ts';
import { SHAPES } from '../../analysis/simulation/shapes/index.ts';
import type { Calibration } from '../../analysis/simulation/calibration.ts';
import { CliError, UsageError } from '../exit-codes.ts';

// as run's options parse them, without run's imports (drivers, the store): predict stays light
function parseInteger(option: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  if (!/^-?\d+$/.test(raw.trim())) throw new UsageError(`${option} ${raw}: expected an integer`);
  return Number(raw);
}

export function parseModels(raw: string | undefined): string[] | undefined {
  return raw === undefined ? undefined : raw.split(',').map((model) => model.trim()).filter(Boolean);
}

export function scenarioParams(scenario: string, sets: string[]): Record<string, number> {
  const definition = SCENARIOS[scenario];
  if (!definition) throw new UsageError(`unknown scenario "${scenario}"; valid scenarios: ${scenarioIds().join(', ')}`);
  if (!SHAPES[scenario]) throw new UsageError(`the simulator cannot predict ${scenario} yet; it predicts: ${Object.keys(SHAPES).join(', ')}`);
  let params: Record<string, number>;
  try {
    params = resolveParams(definition, sets);
    // the combinations a run would refuse, without building the plan (200 ms for mass-reconnect)
    definition.checkParams?.(params as never);
  } catch (error) {
    if (error instanceof ParamError || error instanceof RangeError) throw new UsageError(error.message);
    throw error;
  }
  return params;
}

export function seedOption(raw: string | undefined): number {
  const seed = parseInteger('--seed', raw, 1);
  if (!Number.isSafeInteger(seed) || seed < 0) throw new UsageError(`--seed ${raw}: expected a non-negative integer`);
  return seed;
}

/** Registered models (unknown ones are usage errors); without --models, every calibrated one. */
export function modelsOption(raw: string | undefined, calibration?: Calibration): string[] {
  const named = parseModels(raw);
  if (named !== undefined) {
    if (named.length === 0) throw new UsageError(`--models: name at least one of ${modelIds().join(', ')}`);
    for (const model of named) if (!MODELS[model]) throw new UsageError(`--models: unknown model "${model}"; valid models: ${modelIds().join(', ')}`);
    if (new Set(named).size !== named.length) throw new UsageError(`--models: a model is named twice (${named.join(',')})`);
    const missing = calibration ? named.filter((model) => !calibration.models[model]) : [];
    if (missing.length) throw new CliError(`--models: ${missing.join(', ')} not in the calibration (calibrated: ${Object.keys(calibration!.models).join(', ')}); run chatbench simulate calibrate`);
    return named;
  }
  return calibration ? modelIds().filter((model) => calibration.models[model]) : modelIds();
}

/** Registered models the calibration lacks: said on stderr, never silently dropped. */
export function uncalibrated(calibration: Calibration): string[] {
  return modelIds().filter((model) => !calibration.models[model]);
}
