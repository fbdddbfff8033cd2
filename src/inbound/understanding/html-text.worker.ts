import { parentPort, workerData } from 'node:worker_threads';
import { htmlAsText } from './html-text.ts';

// One conversion per thread: the thread is the deadline's unit, ended whether it answered or not.
parentPort?.postMessage(htmlAsText(String(workerData)));
