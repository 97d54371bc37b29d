// Where calibrations live and how they are read: a file per machine under .chatbench (what
// `simulate calibrate` writes by default), else the one shipped in the repository. Reading one
// is a JSON parse, so predict starts no database and loads no store.
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { CALIBRATION_FILES, CalibrationError, parseCalibration, type Calibration } from '../../analysis/simulation/calibration.ts';
import { CliError, UsageError } from '../exit-codes.ts';

export { CALIBRATION_FILES };

export interface LoadedCalibration {
  calibration: Calibration;
  file: string;
}

export function resolveCalibrationFile(option: string | undefined): string {
  if (option !== undefined) {
    if (option.trim() === '') throw new UsageError('--calibration must name a file');
    if (!existsSync(option)) throw new UsageError(`--calibration ${option}: no such file (make one with chatbench simulate calibrate --out ${option})`);
    return option;
  }
  if (existsSync(CALIBRATION_FILES.local)) return CALIBRATION_FILES.local;
  if (existsSync(CALIBRATION_FILES.shipped)) return CALIBRATION_FILES.shipped;
  throw new CliError('no calibration found: run chatbench simulate calibrate (a few minutes) or pass --calibration FILE');
}

export function loadCalibration(option: string | undefined): LoadedCalibration {
  const file = resolveCalibrationFile(option);
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new CliError(`${file} is not readable JSON: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
  }
  try {
    return { calibration: parseCalibration(data, file), file };
  } catch (error) {
    if (error instanceof CalibrationError) throw new CliError(error.message);
    throw error;
  }
}

export async function writeCalibration(file: string, calibration: Calibration): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(calibration, null, 2)}\n`);
}
