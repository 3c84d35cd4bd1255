import { FlashwrightError } from '@flashwright/core';
import type { OpenStoreOptions, ProductionStore } from './types.js';

export function openSqliteStore(location: string, options: OpenStoreOptions): Promise<ProductionStore> {
  void options;
  return Promise.reject(
    new FlashwrightError('COMMAND_UNAVAILABLE', `The sqlite production database is not built yet (${location})`),
  );
}
