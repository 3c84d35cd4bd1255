import {
  createVirtualCmsisDapSession,
  type VirtualCmsisDap,
  type VirtualSession,
  type VirtualSessionOptions,
} from '@flashwright/sim';
import { DapDriver } from '../../src/driver/dap-driver.js';
import { readProbeInfo, startSwd, type DapProbeInfo } from '../../src/driver/open-sequence.js';
import { CmsisDapWire } from '../../src/driver/swd-wire.js';
import { findDapInterface } from '../../src/usb/dap-interface.js';
import { WebUsbPacketChannel } from '../../src/usb/packet-channel.js';

/** A short transfer timeout keeps the USB-fault tests fast. */
export const TEST_TIMEOUT_MS = 200;

export interface WireRig {
  readonly session: VirtualSession<VirtualCmsisDap>;
  readonly channel: WebUsbPacketChannel;
  readonly driver: DapDriver;
  readonly wire: CmsisDapWire;
  readonly info: DapProbeInfo;
  close(): Promise<void>;
}

/** A virtual board behind a virtual CMSIS-DAP, opened and in SWD mode (no line reset yet). */
export async function wireRig(options: Partial<VirtualSessionOptions> = {}): Promise<WireRig> {
  const session = createVirtualCmsisDapSession({
    probe: 'cmsis-dap-v2',
    device: 'STM32F411RE',
    ...options,
  });
  const iface = findDapInterface(session.device);
  if (!iface) throw new Error('no CMSIS-DAP interface on the virtual probe');
  const channel = await WebUsbPacketChannel.open(session.device, iface, {
    timeoutMs: TEST_TIMEOUT_MS,
  });
  const driver = new DapDriver(channel);
  const info = await readProbeInfo(driver);
  await startSwd(driver, info.capabilities, { speedKhz: 4000, waitRetry: 80 });
  return {
    session,
    channel,
    driver,
    wire: new CmsisDapWire(driver),
    info,
    async close() {
      await channel.close();
      await session.close();
    },
  };
}

/** SWD line reset, JTAG-to-SWD select, line reset, idle (ARM IHI 0031 B5.2.2). */
export const SWITCH_TO_SWD = Uint8Array.of(
  0xff,
  0xff,
  0xff,
  0xff,
  0xff,
  0xff,
  0xff, // 56 ones
  0x9e,
  0xe7, // 0xE79E
  0xff,
  0xff,
  0xff,
  0xff,
  0xff,
  0xff,
  0xff, // 56 ones
  0x00, // 8 idle clocks
);
export const SWITCH_BITS = SWITCH_TO_SWD.length * 8;

/** CTRL/STAT CSYSPWRUPREQ | CDBGPWRUPREQ. */
export const POWER_UP = 0x50000000;
/** CSW: 32-bit, auto-increment single, DbgSwEnable, HPROT as ST-Link sets it. */
export const CSW_WORD_INC = 0x23000052;

export function pattern(words: number, seed = 7): Uint32Array {
  const out = new Uint32Array(words);
  let x = seed;
  for (let i = 0; i < words; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out[i] = x;
  }
  return out;
}
