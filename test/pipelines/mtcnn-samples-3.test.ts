import { sampleShareSuite } from './mtcnn-samples.js';

sampleShareSuite(3, 4);
