/**
 * `npm run bench`: every benchmark, peers side by side in one run. Not part of `npm test`.
 */
import { runInProcess } from "./in-process";

await runInProcess();
