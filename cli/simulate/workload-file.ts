// Reading a workload: a TypeScript module (export default defineWorkload({...})) or a JSON file,
// validated before anything is computed or stored. Every failure names --workload or the key.
import { existsSync, readFileSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseWorkload, WorkloadError, type Workload } from '../../analysis/simulation/workload.ts';
import { modelIds } from '../../reference-server/models/registry.ts';
import { UsageError } from '../exit-codes.ts';

export const DEFAULT_WORKLOAD = fileURLToPath(new URL('../../workloads/whatsapp-500m.ts', import.meta.url));
const MODULES = new Set(['.ts', '.mts', '.js', '.mjs']);

export async function loadWorkload(file: string | undefined): Promise<{ workload: Workload; source: string }> {
  const source = file ?? 'workloads/whatsapp-500m.ts';
  const path = file === undefined ? DEFAULT_WORKLOAD : resolve(file);
  if (file !== undefined && file.trim() === '') throw new UsageError('--workload must name a file');
  if (!existsSync(path)) throw new UsageError(`--workload ${source}: no such file`);
  const extension = extname(path);
  let data: unknown;
  if (extension === '.json') {
    try {
      data = JSON.parse(readFileSync(path, 'utf8'));
    } catch (error) {
      throw new UsageError(`--workload ${source}: not valid JSON (${firstLine(error)})`);
    }
  } else if (MODULES.has(extension)) {
    try {
      // tsImport compiles the file as a module wherever it lives (outside a "type": "module"
      // package a bare import would treat a .ts file as CommonJS)
      const { tsImport } = await import('tsx/esm/api');
      data = ((await tsImport(pathToFileURL(path).href, import.meta.url)) as { default?: unknown }).default;
      // compiled as CommonJS, the module's exports arrive wrapped once more
      if (data && typeof data === 'object' && 'default' in data && !('name' in data)) data = (data as { default: unknown }).default;
    } catch (error) {
      throw new UsageError(`--workload ${source}: could not be loaded (${firstLine(error)})`);
    }
    if (data === undefined) throw new UsageError(`--workload ${source}: has no default export (export default defineWorkload({...}))`);
  } else {
    throw new UsageError(`--workload ${source}: expected a .ts, .mts, .js, .mjs or .json file`);
  }
  try {
    return { workload: parseWorkload(data, source, modelIds()), source };
  } catch (error) {
    if (error instanceof WorkloadError) throw new UsageError(error.message);
    throw error;
  }
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
}
