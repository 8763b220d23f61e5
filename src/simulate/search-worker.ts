// Worker-thread entry of the candidate search: runs its share of the policies and posts the results.
import { parentPort, workerData } from 'node:worker_threads';
import { runChunk, type SearchWorkerInput } from './search.js';

if (parentPort) parentPort.postMessage(runChunk(workerData as SearchWorkerInput));
