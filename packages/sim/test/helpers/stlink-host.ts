import { SimBoard } from '../../src/board.js';
import { FaultPlan, type FaultSpec } from '../../src/faults.js';
import { VirtualStlink, type VirtualStlinkOptions } from '../../src/stlink/device.js';
import { createTestChip, type TestChip, type TestChipOptions } from './test-chip.js';

/** Builds a 16-byte command block from its leading bytes. */
export function block(...bytes: number[]): Uint8Array {
  const cmd = new Uint8Array(16);
  cmd.set(bytes);
  return cmd;
}

export function le32(value: number): number[] {
  return [value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, (value >>> 24) & 0xff];
}

export function le16(value: number): number[] {
  return [value & 0xff, (value >>> 8) & 0xff];
}

export interface Rig {
  readonly chip: TestChip;
  readonly board: SimBoard;
  readonly device: VirtualStlink;
  readonly debugOut: number;
  /** Sends a block (and data phase) and reads `inLength` bytes back when asked. */
  command(cmd: Uint8Array, options?: { data?: Uint8Array; inLength?: number }): Promise<Uint8Array>;
  read(length: number): Promise<Uint8Array>;
  /** DFU exit (if needed), SWD enter; ready for debug commands. */
  enterSwd(): Promise<void>;
}

export async function rig(
  options: Partial<Omit<VirtualStlinkOptions, 'board'>> & {
    chip?: TestChipOptions;
    faults?: readonly FaultSpec[];
  } = {},
): Promise<Rig> {
  const chip = createTestChip(options.chip);
  const board = new SimBoard({ chip, faults: new FaultPlan(options.faults ?? []) });
  const device = new VirtualStlink({ ...options, board });
  await device.open();
  await device.claimInterface(0);
  const debugOut = device.variant.debugOut & 0x0f;
  const read = async (length: number): Promise<Uint8Array> => {
    const result = await device.transferIn(1, length, 50);
    if (!result.data) throw new Error('no data');
    return new Uint8Array(result.data.buffer, result.data.byteOffset, result.data.byteLength);
  };
  const command: Rig['command'] = async (cmd, o = {}) => {
    await device.transferOut(debugOut, cmd);
    if (o.data) await device.transferOut(debugOut, o.data);
    return o.inLength ? read(o.inLength) : new Uint8Array(0);
  };
  const enterSwd = async (): Promise<void> => {
    const mode = await command(block(0xf5), { inLength: 2 });
    if (mode[0] === 0) await command(block(0xf3, 0x07));
    const status = await command(block(0xf2, 0x30, 0xa3), { inLength: 2 });
    if (status[0] !== 0x80) throw new Error(`enter failed: ${status[0]}`);
  };
  return { chip, board, device, debugOut, command, read, enterSwd };
}

/** GETLASTRWSTATUS2 as [status, fault address]. */
export async function lastRwStatus(r: Rig): Promise<[number, number]> {
  const reply = await r.command(block(0xf2, 0x3e), { inLength: 12 });
  return [reply[0] ?? -1, new DataView(reply.buffer, reply.byteOffset).getUint32(4, true)];
}
