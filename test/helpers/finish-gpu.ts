// Every test file's process waits for lavapipe's helper device to finish its compile before it
// exits: exiting under a running compile can crash Dawn (see JitWarmer.stop()).
import { afterAll } from 'vitest';
import { finishBackgroundGpuWork } from '../../src/gpu/device.js';

afterAll(async () => {
  await finishBackgroundGpuWork();
});
