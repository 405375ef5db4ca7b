// The adapter family, for kernel variants tuned per family (CPU rasterizers differ a lot).
import type { AdapterSummary } from './adapter-info.js';
import type { AdapterClass } from '../ops/types.js';

export function adapterClass(a: Pick<AdapterSummary, 'name' | 'vendor' | 'architecture'>): AdapterClass {
  const text = `${a.name} ${a.vendor} ${a.architecture}`.toLowerCase();
  if (text.includes('swiftshader')) return 'swiftshader';
  if (text.includes('llvmpipe') || text.includes('lavapipe')) return 'llvmpipe';
  return 'gpu';
}
