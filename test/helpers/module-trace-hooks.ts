/** The loader hooks of module-trace.ts: each ES module's URL appended to the trace file as it loads. */
import { appendFileSync } from 'node:fs';
import type { InitializeHook, LoadHook } from 'node:module';

let file: string | undefined;

export const initialize: InitializeHook<{ file: string }> = (data) => {
  file = data.file;
};

export const load: LoadHook = (url, context, nextLoad) => {
  if (file !== undefined) appendFileSync(file, `${url}\n`);
  return nextLoad(url, context);
};
