export { databaseLocation, openStore, storeKind } from './store/open.js';
export {
  DEFAULT_DATABASE_FILE,
  type AllocateSerialRequest,
  type AllocatedSerial,
  type AttemptFilter,
  type AttemptResult,
  type AttemptRow,
  type FinishAttempt,
  type OpenStoreOptions,
  type ProductionStore,
  type SerialRow,
  type SerialState,
  type StartAttempt,
  type StoreKind,
} from './store/types.js';
export * from './batch/index.js';
