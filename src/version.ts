import { createRequire } from 'node:module';

/** hookd's version, from package.json (src/ and dist/ both sit one level below it). */
export const VERSION: string = (createRequire(import.meta.url)('../package.json') as { version: string })
  .version;
