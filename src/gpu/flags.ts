// WebGPU's numeric flag values (fixed by the spec). Spelled out here so library code does not depend
// on the GPUBufferUsage/GPUShaderStage globals, which Node only has after dawn.node is loaded.
export const BufferUsage = {
  MAP_READ: 0x0001,
  MAP_WRITE: 0x0002,
  COPY_SRC: 0x0004,
  COPY_DST: 0x0008,
  UNIFORM: 0x0040,
  STORAGE: 0x0080,
  INDIRECT: 0x0100,
  QUERY_RESOLVE: 0x0200,
} as const;

export const ShaderStage = { COMPUTE: 0x4 } as const;

export const MapMode = { READ: 0x1, WRITE: 0x2 } as const;
