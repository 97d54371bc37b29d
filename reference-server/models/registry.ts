// Every storage model chatbench knows. A new model is a new folder with its migrations and one
// line here; the contract tests and every scenario pick it up from this registry.
import { naiveModel } from './naive/naive.ts';
import type { ReceiptModel } from './types.ts';
import { watermarkModel } from './watermark/watermark.ts';

export const MODELS: Record<string, () => ReceiptModel> = {
  naive: () => naiveModel,
  watermark: () => watermarkModel,
};

export const DEFAULT_MODELS = ['naive', 'watermark'];

export function modelIds(): string[] {
  return Object.keys(MODELS);
}

export function getModel(id: string): ReceiptModel {
  const factory = MODELS[id];
  if (!factory) throw new Error(`unknown model "${id}"; valid models: ${modelIds().join(', ')}`);
  return factory();
}
