// Put first in a kernel's files when it uses subgroup builtins (KernelEnv.subgroupSize set: the
// device has the 'subgroups' feature and a fixed subgroup size).
enable subgroups;
