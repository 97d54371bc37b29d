// defineScenario: a scenario reads like a spec (parameters with defaults, units and ranges, a
// description, thresholds) and builds a deterministic plan from (params, seed).
import type { GateMetricName } from '../analysis/gates/metrics.ts';
import type { ModelTraits } from '../reference-server/models/traits.ts';
import type { Plan } from './plan.ts';

export interface ParamSpec {
  default: number;
  min: number;
  max: number;
  unit: string;
  description: string;
  /** integers only unless false */
  integer?: boolean;
}

/** one model's gate thresholds: metric -> expressions */
export type ModelThresholds = { [M in GateMetricName]?: string[] };

export interface ScenarioDefinition<P extends Record<string, ParamSpec> = Record<string, ParamSpec>> {
  id: string;
  title: string;
  description: string;
  params: P;
  /**
   * what a model should cost here, as gate thresholds, derived from the traits it declares (never
   * from its name: a new model with known traits needs no edit here)
   */
  thresholds?: (params: { [K in keyof P]: number }, model: ModelTraits) => ModelThresholds;
  /**
   * Refuses (RangeError) combinations of parameters each within its range that the plan cannot
   * build, without building it: `defineScenario` runs it before every `plan`, and commands that
   * only price a scenario (simulate predict) call it instead of building a plan they do not need.
   */
  checkParams?(params: { [K in keyof P]: number }): void;
  plan(params: { [K in keyof P]: number }, seed: number): Plan;
}

export function defineScenario<P extends Record<string, ParamSpec>>(definition: ScenarioDefinition<P>): ScenarioDefinition<P> {
  for (const [name, spec] of Object.entries(definition.params)) {
    if (!(spec.min <= spec.default && spec.default <= spec.max)) {
      throw new Error(`scenario ${definition.id}: default of "${name}" is outside [${spec.min}, ${spec.max}]`);
    }
  }
  const { checkParams, plan } = definition;
  if (!checkParams) return definition;
  return {
    ...definition,
    plan: (params, seed) => {
      checkParams(params);
      return plan(params, seed);
    },
  };
}

/** Thresholds for several models, keyed by model id: a thresholds file's `thresholds` object. */
export function scenarioThresholds(definition: ScenarioDefinition, params: Record<string, number>, models: Record<string, ModelTraits>): Record<string, ModelThresholds> {
  if (!definition.thresholds) return {};
  return Object.fromEntries(Object.entries(models).map(([id, traits]) => [id, definition.thresholds!(params as never, traits)]));
}

export class ParamError extends Error {}

/** Parses `--set key=value` pairs against a scenario's parameters; errors name the option. */
export function resolveParams(definition: ScenarioDefinition, sets: string[]): Record<string, number> {
  const params: Record<string, number> = Object.fromEntries(Object.entries(definition.params).map(([name, spec]) => [name, spec.default]));
  const valid = Object.keys(definition.params);
  for (const entry of sets) {
    const match = /^([A-Za-z][A-Za-z0-9]*)=(.*)$/.exec(entry);
    if (!match) throw new ParamError(`--set "${entry}": expected key=value (parameters of ${definition.id}: ${valid.join(', ')})`);
    const [, name, raw] = match as unknown as [string, string, string];
    // own properties only: `--set constructor=1` is no parameter, whatever Object.prototype holds
    const spec = Object.hasOwn(definition.params, name) ? definition.params[name] : undefined;
    if (!spec) throw new ParamError(`--set ${name}: unknown parameter of ${definition.id}; valid parameters: ${valid.join(', ')}`);
    params[name] = parseParamValue(name, raw, spec);
  }
  return params;
}

/** `option` names where the value came from in errors (`--set`, `--model-opt write-behind.`). */
export function parseParamValue(name: string, raw: string, spec: ParamSpec, option = '--set '): number {
  const value = parseDecimalOrDuration(name, raw.trim(), spec, option);
  const integer = spec.integer !== false;
  if (!Number.isFinite(value) || (integer && !Number.isInteger(value))) {
    const duration = Object.hasOwn(MS_PER_UNIT, spec.unit) ? ', or a duration such as 500ms, 2s or 1m' : '';
    throw new ParamError(`${option}${name}=${raw}: expected ${integer ? 'an integer' : 'a number'} from ${spec.min} to ${spec.max} (${spec.unit}), in decimal${duration}`);
  }
  if (value < spec.min || value > spec.max) {
    throw new ParamError(`${option}${name}=${raw}: out of range; ${name} must be from ${spec.min} to ${spec.max} (${spec.unit})`);
  }
  return value;
}

/** Plain decimal only: Number() would also take 0x10, 0b1, 1e3, Infinity and '' (as 0). */
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;
/** A duration as load-tool users type it: 500ms, 2s, 1.5m. */
const DURATION = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(ms|s|m)$/;
/** milliseconds per unit, for the duration suffixes and the time units parameters declare */
const MS_PER_UNIT: Record<string, number> = { ms: 1, s: 1000, m: 60_000 };

function parseDecimalOrDuration(name: string, raw: string, spec: ParamSpec, option: string): number {
  if (DECIMAL.test(raw)) return Number(raw);
  const duration = DURATION.exec(raw);
  if (!duration) return Number.NaN;
  const [, amount, suffix] = duration as unknown as [string, string, string];
  const perUnit = Object.hasOwn(MS_PER_UNIT, spec.unit) ? MS_PER_UNIT[spec.unit]! : undefined;
  if (perUnit === undefined) throw new ParamError(`${option}${name}=${raw}: ${name} is not a duration (${spec.unit}); give a plain number`);
  // into the parameter's own unit: window=2s is 2 for a parameter in s, 2000 for one in ms
  return (Number(amount) * MS_PER_UNIT[suffix]!) / perUnit;
}
