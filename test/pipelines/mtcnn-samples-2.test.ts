import { sampleShareSuite } from './mtcnn-samples.js';

sampleShareSuite(2, 4);
