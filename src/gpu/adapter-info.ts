// A plain, printable summary of an adapter: what `webgpu-detect info` prints and what every
// benchmark and precision report names.

export interface AdapterSummary {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** Human name: description, else device, else architecture (Chromium leaves the first two empty). */
  name: string;
  /** Where the adapter came from: the Vulkan ICD in Node, 'navigator.gpu' in a browser. */
  source: string;
  features: string[];
  limits: Record<string, number>;
  /** Subgroup sizes the adapter may use (GPUAdapterInfo; 0 when it does not say). */
  subgroupMinSize: number;
  subgroupMaxSize: number;
}

const KEY_LIMITS = [
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupsPerDimension',
  'maxComputeWorkgroupStorageSize',
  'maxStorageBuffersPerShaderStage',
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxUniformBufferBindingSize',
] as const;

export function summarizeAdapter(adapter: GPUAdapter, source: string): AdapterSummary {
  const info = adapter.info;
  const limits: Record<string, number> = {};
  for (const key of KEY_LIMITS) limits[key] = Number((adapter.limits as unknown as Record<string, number>)[key]);
  const vendor = info?.vendor ?? '';
  const architecture = info?.architecture ?? '';
  const device = info?.device ?? '';
  const description = info?.description ?? '';
  return {
    vendor,
    architecture,
    device,
    description,
    name: description || device || [vendor, architecture].filter(Boolean).join(' ') || 'unknown adapter',
    source,
    features: [...adapter.features].map(String).sort(),
    limits,
    subgroupMinSize: Number((info as { subgroupMinSize?: number } | undefined)?.subgroupMinSize ?? 0),
    subgroupMaxSize: Number((info as { subgroupMaxSize?: number } | undefined)?.subgroupMaxSize ?? 0),
  };
}

export function formatAdapter(a: AdapterSummary): string {
  return [
    `adapter      ${a.name}`,
    `vendor       ${a.vendor || '-'}`,
    `architecture ${a.architecture || '-'}`,
    `device       ${a.device || '-'}`,
    `description  ${a.description || '-'}`,
    `source       ${a.source}`,
    `features     ${a.features.join(' ')}`,
    `subgroups    ${a.subgroupMinSize ? `${a.subgroupMinSize}..${a.subgroupMaxSize} invocations` : '-'}`,
    ...Object.entries(a.limits).map(([k, v]) => `${k.padEnd(33)} ${v}`),
  ].join('\n');
}
