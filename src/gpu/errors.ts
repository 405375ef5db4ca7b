// Error types with the context a user needs to act on them.
import type { Defines } from './shader-library.js';

/** The apt commands that give a Debian bookworm machine a WebGPU adapter (see README). */
export const INSTALL_HINT = [
  'No WebGPU adapter. Dawn needs a Vulkan driver; on Debian bookworm install Mesa 25 lavapipe (software Vulkan) from backports:',
  "  printf 'Types: deb\\nURIs: http://deb.debian.org/debian\\nSuites: bookworm-backports\\nComponents: main\\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\\n' > /etc/apt/sources.list.d/backports.sources",
  '  apt-get update && apt-get install -y -t bookworm-backports mesa-vulkan-drivers',
  'and optionally SwiftShader (comes with Debian\'s chromium): apt-get install -y chromium',
].join('\n');

export class NoAdapterError extends Error {
  constructor(detail: string) {
    super(`${detail}\n${INSTALL_HINT}`);
    this.name = 'NoAdapterError';
  }
}

export class ShaderCompileError extends Error {
  constructor(
    readonly label: string,
    readonly defines: Defines,
    readonly messages: string[],
  ) {
    super(`WGSL compile failed for ${label} with defines ${JSON.stringify(defines)}:\n${messages.join('\n')}`);
    this.name = 'ShaderCompileError';
  }
}

/** A validation or out-of-memory error raised by the GPU while running a labelled graph/op. */
export class GpuValidationError extends Error {
  constructor(readonly where: string, message: string) {
    super(`${where}: ${message}`);
    this.name = 'GpuValidationError';
  }
}

export class DeviceLostError extends Error {
  constructor(reason: string, message: string) {
    super(`GPU device lost (${reason}): ${message}`);
    this.name = 'DeviceLostError';
  }
}
