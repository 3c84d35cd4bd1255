import { PLUGIN_API_VERSION, type FlashwrightPlugin } from '@flashwright/core';
import { gdbTransport } from './gdb-transport.js';

export { GdbProbe, type GdbSessionSettings } from './gdb-probe.js';
export { gdbTransport, openGdbProbe } from './gdb-transport.js';
export { GdbMemoryPort } from './gdb-memory-port.js';
export { GdbNativeFlash } from './native-flash.js';
export { GdbRegisters } from './gdb-registers.js';
export {
  RspClient,
  type RspClientOptions,
  type RequestOptions,
  type RspStats,
} from './rsp-client.js';
export type { ByteLink, ByteLinkHandlers } from './byte-link.js';
export { openTcpLink, type TcpLinkOptions } from './tcp-link.js';
export { parseGdbAddress, parseProbeSettings, type GdbProbeSettings } from './probe-settings.js';
export { TransferLimits } from './transfer-limits.js';
export { parseMemoryMap } from './memory-map.js';
export type { RegisterInfo } from './target-description.js';

export function plugin(): FlashwrightPlugin {
  return {
    meta: { name: '@flashwright/transport-gdb', version: '0.1.0', apiVersion: PLUGIN_API_VERSION },
    transports: [gdbTransport()],
  };
}
