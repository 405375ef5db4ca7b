import { sampleShareSuite } from './mtcnn-samples.js';

sampleShareSuite(0, 4);
