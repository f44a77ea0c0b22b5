import { readFileSync } from 'node:fs';

/** Tend's version, from the root package.json: one number for server and agent. */
export const TEND_VERSION: string = (
  JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
