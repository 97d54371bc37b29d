// The simulation a run's report shows when none is named: the shipped workload priced by this
// machine's calibration (else the shipped one), for the run's models. A report never fails for
// want of one: the section then says why it is missing.
import { existsSync, readFileSync } from 'node:fs';
import { CALIBRATION_FILES, parseCalibration } from '../analysis/simulation/calibration.ts';
import { simulateWorkload, type Simulation } from '../analysis/simulation/simulation.ts';
import { parseWorkload } from '../analysis/simulation/workload.ts';
import { modelIds } from '../reference-server/models/registry.ts';
import { orderModels } from './figures.ts';

export async function defaultSimulation(models: readonly string[]): Promise<{ simulation?: Simulation; missing?: string }> {
  const file = [CALIBRATION_FILES.local, CALIBRATION_FILES.shipped].find((path) => existsSync(path));
  if (!file) return { missing: 'No calibration on this machine and none shipped: chatbench simulate calibrate makes one, then chatbench simulate.' };
  try {
    const calibration = parseCalibration(JSON.parse(readFileSync(file, 'utf8')), file);
    const { default: definition } = await import('../workloads/whatsapp-500m.ts');
    const workload = parseWorkload(definition, 'workloads/whatsapp-500m.ts', modelIds());
    const calibrated = orderModels(models).filter((model) => calibration.models[model]);
    if (calibrated.length === 0) return { missing: `None of this report's models (${models.join(', ')}) is in the calibration ${file}: chatbench simulate calibrate.` };
    const simulation = simulateWorkload({ workload, workloadSource: 'workloads/whatsapp-500m.ts', calibration, calibrationFile: file, models: calibrated, baseline: calibrated[0]!, seed: 1 });
    return { simulation };
  } catch (error) {
    return { missing: `No simulation: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}` };
  }
}
