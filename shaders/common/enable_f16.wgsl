// Put first in a kernel's files when it may compute in f16 (CompileOptions.storage 'f16-math'):
// WGSL wants the enable directive before any declaration. The adapter must have shader-f16.
#if ${F16_MATH}
enable f16;
#endif
