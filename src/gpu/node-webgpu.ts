// Node-only: Dawn (npm `webgpu`) and the choice of Vulkan driver (ICD).
//
// dawn.node's `create()` result must stay reachable for the whole process: if it is garbage
// collected while a device lives, the process dies in a futex/mutex assertion or hangs. So it is
// created at most once per process and held in module scope (and on globalThis, in case this module
// is ever loaded twice). The Vulkan loader reads VK_ICD_FILENAMES when `create()` runs, so the ICD
// is fixed per process too; tests and `info --all` use one process per ICD.
import { existsSync } from 'node:fs';
import { create, globals } from 'webgpu';
import { paceDawnTicks } from './dawn-ticks.js';
import { NoAdapterError } from './errors.js';

/** Software Vulkan drivers this project knows how to find, in fallback order. */
export const SOFTWARE_ICDS: Readonly<Record<string, string>> = {
  lavapipe: '/usr/share/vulkan/icd.d/lvp_icd.json',
  swiftshader: '/usr/lib/chromium/vk_swiftshader_icd.json',
};

/** Env var naming the adapter when no option does: auto | lavapipe | swiftshader | /path/icd.json */
export const ADAPTER_ENV = 'WEBGPU_DETECT_ADAPTER';

let dawn: GPU | undefined;
let dawnChoice: string | undefined;
let dawnIcd: string | undefined;

function resolveIcd(choice: string): string | undefined {
  if (choice === 'auto') return undefined;
  const path = SOFTWARE_ICDS[choice] ?? choice;
  if (!path.endsWith('.json')) {
    throw new Error(`unknown adapter '${choice}': use auto, ${Object.keys(SOFTWARE_ICDS).join(', ')} or the path of a Vulkan ICD .json`);
  }
  if (!existsSync(path)) {
    throw new NoAdapterError(`adapter '${choice}' asked for, but its Vulkan ICD ${path} is not installed.`);
  }
  return path;
}

export interface NodeGpu {
  gpu: GPU;
  /** 'auto' or the name/path asked for. */
  choice: string;
  /** The ICD file forced for this process, or a description of the automatic choice. */
  icd: string;
}

export function nodeGpu(requested?: string): NodeGpu {
  const choice = requested ?? process.env[ADAPTER_ENV] ?? 'auto';
  if (dawn) {
    if (choice !== dawnChoice && requested !== undefined) {
      throw new Error(`this process already uses adapter '${dawnChoice}'; Dawn fixes the Vulkan driver per process, so run '${choice}' in another process`);
    }
    return { gpu: dawn, choice: dawnChoice!, icd: dawnIcd! };
  }
  const icd = resolveIcd(choice);
  if (icd) {
    process.env.VK_ICD_FILENAMES = icd;
    dawnIcd = icd;
  } else if (process.env.VK_ICD_FILENAMES) {
    dawnIcd = process.env.VK_ICD_FILENAMES;
  } else {
    // Automatic: the system's drivers (hardware first, Dawn ranks them). lavapipe, when installed,
    // is in the system directory; SwiftShader lives in chromium's directory and is added only when
    // lavapipe is absent, so the software fallback order is lavapipe, then SwiftShader.
    if (!existsSync(SOFTWARE_ICDS.lavapipe!) && existsSync(SOFTWARE_ICDS.swiftshader!)) {
      process.env.VK_ADD_DRIVER_FILES = SOFTWARE_ICDS.swiftshader;
    }
    dawnIcd = 'system Vulkan drivers' + (process.env.VK_ADD_DRIVER_FILES ? ` + ${process.env.VK_ADD_DRIVER_FILES}` : '');
  }
  Object.assign(globalThis, globals);
  paceDawnTicks();
  // Dawn options (e.g. 'enable-dawn-features=dump_shaders') for debugging, space separated.
  dawn = create((process.env.WEBGPU_DETECT_DAWN_FLAGS ?? '').split(' ').filter(Boolean));
  (globalThis as Record<string, unknown>).__webgpuDetectDawn = dawn;
  dawnChoice = choice;
  return { gpu: dawn, choice, icd: dawnIcd };
}
