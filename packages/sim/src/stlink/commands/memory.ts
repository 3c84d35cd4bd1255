import { u16, u32 } from '../bytes.js';
import { Debug, Status } from '../constants.js';
import type { CommandSpec, StlinkEngine } from '../engine.js';
import type { FirmwareFeatures } from '../firmware.js';
import type { AccessSize } from '../swd-master.js';

/** The probe's buffer for 16- and 32-bit reads (OpenOCD STLINK_DATA_SIZE). */
export const MAX_RW_BYTES = 6144;
/**
 * 16- and 32-bit writes stream from USB to the target and are bounded only by the 16-bit
 * length field: probe-rs (probe/stlink/mod.rs STLINK_MAX_WRITE_LEN = 0xFFFC), and st-flash
 * 1.7 writes its F2/F4/F7/L4 loader buffer of 16 or 32 KiB in one WRITEMEM_32BIT
 * (flash_loader.c write_buffer_to_sram).
 */
const MAX_WIDE_WRITE_BYTES = 0xfffc;

/**
 * Memory commands share one layout (OpenOCD stlink_usb.c, pyOCD stlink.py, probe-rs
 * stlink/mod.rs memory_command): [2..5] address, [6..7] length in bytes, [8] AP, [9..11]
 * CSW[31:8] (J32+). Reads answer `length` bytes (2 for a 1-byte 8-bit read) with no status;
 * writes have a data-OUT phase and no reply. Both latch a status for GETLASTRWSTATUS(2).
 */
interface MemoryRequest {
  readonly address: number;
  readonly length: number;
  readonly ap: number;
  readonly cswHigh: number;
}

function request(cmd: Uint8Array): MemoryRequest {
  return {
    address: u32(cmd, 2),
    length: u16(cmd, 6),
    ap: cmd[8] ?? 0,
    cswHigh: (((cmd[11] ?? 0) << 24) | ((cmd[10] ?? 0) << 16) | ((cmd[9] ?? 0) << 8)) >>> 0,
  };
}

/**
 * What the firmware refuses before touching the target: a length above its buffer (8-bit:
 * 64, or 512 on V3J6+; 16/32-bit reads: 6144; writes: MAX_WIDE_WRITE_BYTES), an unaligned 16/32-bit address or length
 * (0x0A ALIGNMENT_ERROR), an AP not opened with INIT_AP (0x1D BAD_AP). The codes for the
 * first and last are our choice: no source shows what real firmware answers there.
 */
function refusal(
  engine: StlinkEngine,
  req: MemoryRequest,
  size: AccessSize,
  direction: 'read' | 'write',
): number | undefined {
  const wide = direction === 'read' ? MAX_RW_BYTES : MAX_WIDE_WRITE_BYTES;
  const max = size === 1 ? engine.features.maxRw8Bytes : wide;
  if (req.length > max) return Status.CMD_ERROR;
  if (size > 1 && (req.address % size !== 0 || req.length % size !== 0))
    return Status.ALIGNMENT_ERROR;
  if (engine.resolveAp(req.ap) === undefined) return Status.BAD_AP;
  return undefined;
}

function cswHigh(engine: StlinkEngine, req: MemoryRequest): number {
  // Before J32 the firmware does not know the CSW field and ignores those bytes.
  return engine.features.cswInMemoryCommands ? req.cswHigh : 0;
}

function readCommand(
  name: string,
  size: AccessSize,
  increment: boolean,
  available?: (f: FirmwareFeatures) => boolean,
): CommandSpec {
  const replyLength = (cmd: Uint8Array): number => {
    const length = u16(cmd, 6);
    return size === 1 && length === 1 ? 2 : length;
  };
  return {
    name,
    debugOnly: true,
    memory: true,
    ...(available ? { available } : {}),
    replyLength,
    run: (engine, cmd) => {
      const req = request(cmd);
      const reply = new Uint8Array(replyLength(cmd));
      const refused = refusal(engine, req, size, 'read');
      if (refused !== undefined) {
        engine.latchRw(refused, req.address);
        return reply;
      }
      const ap = engine.resolveAp(req.ap) ?? 0;
      const count = Math.floor(req.length / size);
      const out = reply.subarray(0, count * size);
      const result = engine.swd.readMemory(
        ap,
        cswHigh(engine, req),
        req.address,
        size,
        count,
        increment,
        out,
      );
      engine.latchRw(result.status, result.faultAddress);
      return reply;
    },
  };
}

function writeCommand(
  name: string,
  size: AccessSize,
  increment: boolean,
  available?: (f: FirmwareFeatures) => boolean,
): CommandSpec {
  return {
    name,
    debugOnly: true,
    memory: true,
    ...(available ? { available } : {}),
    replyLength: () => 0,
    dataOutLength: (cmd) => u16(cmd, 6),
    run: (engine, cmd, data) => {
      const req = request(cmd);
      const refused = refusal(engine, req, size, 'write');
      if (refused !== undefined) {
        engine.latchRw(refused, req.address);
        return undefined;
      }
      const ap = engine.resolveAp(req.ap) ?? 0;
      const result = engine.swd.writeMemory(
        ap,
        cswHigh(engine, req),
        req.address,
        size,
        data.subarray(0, req.length),
        increment,
      );
      engine.latchRw(result.status, result.faultAddress);
      return undefined;
    },
  };
}

export const memoryCommands: readonly [number, CommandSpec][] = [
  [Debug.READMEM_32BIT, readCommand('READMEM_32BIT', 4, true)],
  [Debug.WRITEMEM_32BIT, writeCommand('WRITEMEM_32BIT', 4, true)],
  [Debug.READMEM_8BIT, readCommand('READMEM_8BIT', 1, true)],
  [Debug.WRITEMEM_8BIT, writeCommand('WRITEMEM_8BIT', 1, true)],
  [Debug.READMEM_16BIT, readCommand('READMEM_16BIT', 2, true, (f) => f.mem16)],
  [Debug.WRITEMEM_16BIT, writeCommand('WRITEMEM_16BIT', 2, true, (f) => f.mem16)],
  [
    Debug.WRITEMEM_32BIT_NO_ADDR_INC,
    writeCommand('WRITEMEM_32BIT_NO_ADDR_INC', 4, false, (f) => f.writeNoIncrement),
  ],
  [
    Debug.READMEM_32BIT_NO_ADDR_INC,
    readCommand('READMEM_32BIT_NO_ADDR_INC', 4, false, (f) => f.readNoIncrement),
  ],
];
