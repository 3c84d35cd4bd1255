export {
  BoardData,
  encodeField,
  encodeSerial,
  SERIAL_STRUCT_MAGIC,
  type BoardSerial,
} from './board-data.js';
export {
  imageSha256,
  runBoard,
  type BatchEventSink,
  type BoardEvent,
  type BoardIdentifiedEvent,
  type BoardRef,
  type BoardResult,
  type BoardRunContext,
} from './board-run.js';
export {
  boardOf,
  listProbes,
  runBatch,
  selectBoards,
  worstExitCode,
  worstResult,
  type BoardSelection,
} from './batch.js';
export { defaultStationOptions, runStation, type StationOptions } from './station.js';
