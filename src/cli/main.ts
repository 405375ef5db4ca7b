// The `webgpu-detect` command.
import { Command, CommanderError } from 'commander';
import { finishBackgroundGpuWork } from '../gpu/device.js';
import { NoAdapterError } from '../gpu/errors.js';
import { registerDemo } from './demo.js';
import { registerDetect } from './detect.js';
import { registerEval } from './eval.js';
import { ExitCode, UsageError } from './exit-codes.js';
import { registerInfo } from './info.js';
import { registerModels } from './models.js';
import { registerPrecision } from './precision.js';
import { registerSweep } from './sweep.js';
import { registerQueue, registerWorker } from './queue.js';
import { registerServe } from './serve.js';

const program = new Command();
program
  .name('webgpu-detect')
  .description('GPU-native detection pipelines on WebGPU (Dawn in Node, Chrome in the browser)')
  .version('0.1.0')
  .addHelpText(
    'after',
    `
Exit codes: 0 ok, 1 failure, 2 bad command line, 3 no WebGPU adapter, 4 some inputs failed.
Environment: WEBGPU_DETECT_ADAPTER=auto|lavapipe|swiftshader|/path/icd.json chooses the Vulkan driver.`,
  )
  .exitOverride()
  .showHelpAfterError();
registerInfo(program);
registerDetect(program);
registerEval(program);
registerModels(program);
registerDemo(program);
registerPrecision(program);
registerSweep(program);
registerQueue(program);
registerWorker(program);
registerServe(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof UsageError) {
    console.error(`webgpu-detect: error: ${err.message}`);
    process.exitCode = ExitCode.USAGE;
  } else if (err instanceof CommanderError) {
    process.exitCode = err.exitCode === 0 ? ExitCode.OK : ExitCode.USAGE;
  } else if (err instanceof NoAdapterError) {
    console.error(`webgpu-detect: ${err.message}`);
    process.exitCode = ExitCode.NO_ADAPTER;
  } else {
    console.error(`webgpu-detect: ${(err as Error).message}`);
    process.exitCode = ExitCode.FAILURE;
  }
}
// Dawn keeps the event loop alive while a device exists; leave once the work is done, the
// helper device's compiles included (exiting under one can crash Dawn).
await finishBackgroundGpuWork();
process.exit(process.exitCode ?? ExitCode.OK);
