import { sampleShareSuite } from './mtcnn-samples.js';

sampleShareSuite(1, 4);
