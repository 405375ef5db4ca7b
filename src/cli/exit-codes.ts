// Process exit codes of the `webgpu-detect` command (documented in the README and in --help).
export const ExitCode = {
  OK: 0,
  /** Something failed (message on stderr). */
  FAILURE: 1,
  /** Bad command line. */
  USAGE: 2,
  /** No WebGPU adapter could be had (the message says what to install). */
  NO_ADAPTER: 3,
  /** The run finished but some inputs failed (each has an error line in the output). */
  SOME_INPUTS_FAILED: 4,
} as const;

/** A bad command-line value found by a verb's own checks (exit code USAGE, message printed). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
