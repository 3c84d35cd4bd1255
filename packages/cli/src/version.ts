import { readFileSync } from 'node:fs';

/** Set to package.json's version by the bundler (scripts/bundle.js); absent in the sources. */
declare const FLASHWRIGHT_CLI_VERSION: string | undefined;

/** The CLI's version, read from its package.json without loading anything else. */
export function cliVersion(): string {
  if (typeof FLASHWRIGHT_CLI_VERSION === 'string') return FLASHWRIGHT_CLI_VERSION;
  const manifest = JSON.parse(
    readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
  ) as { version?: string };
  return manifest.version ?? '0.0.0';
}
