// What the simulator knows about a scenario: the actions a run of it performs, with their
// shapes, and the table rows it leaves, as pure functions of (params, seed). Nothing here is
// about a storage model: the same shapes are priced by every model's fitted costs.
import type { ActionGroup, Population } from '../features.ts';

export type Params = Record<string, number>;

export interface ScenarioShapes {
  scenario: string;
  actions(params: Params, seed: number): ActionGroup[];
  population(params: Params, seed: number): Population;
  /** parameter points `simulate calibrate` runs (merged over the scenario's defaults) */
  calibration: Params[];
  /**
   * `simulate validate`: calibrate on the first two points, predict the third, run it. Sizes
   * small enough for a minute or two; the send rate stays below this machine's saturation.
   */
  validation?: { base: Params; points: [Params, Params, Params] };
}
