import {
  decodeFlashSizeKiB,
  findStm32Device,
  parsePartNumber,
  type Stm32DeviceData,
} from '@flashwright/stm32-devices';
import { flashTimings, type FlashFamily, type FlashTiming } from '../timing.js';
import { Stm32Chip } from './chip.js';
import type { FlashController, RdpLevel, Stm32Context } from './controller.js';
import type { FactoryInfo } from './factory-info.js';
import { BlueNrgLpController } from './families/bluenrg-lp.js';
import { EflashController } from './families/eflash.js';
import { F2F4F7Controller } from './families/f2-f4-f7.js';
import { H7Controller } from './families/h7.js';
import { F0F1F3Controller } from './families/f0-f1-f3.js';
import { hexToBytes } from './families/hex.js';
import { L0L1Controller } from './families/l0-l1.js';
import { L4Controller } from './families/l4.js';

export interface Stm32ChipOptions {
  /** A part number ("STM32L151CBxxA", "STM32F103RB") or a DBGMCU DEV_ID (0x429). */
  readonly device: string | number;
  /**
   * Raw value of the flash-size register. Default: the correct encoding of the part's
   * size, with the reserved upper byte of an STM32L1 Cat.2 (0x429) part non-zero (0x6B80 for
   * 128 KiB), as RM0038 says that byte is reserved and real parts return garbage there.
   */
  readonly flashSizeRaw?: number;
  /** RDP level of the option bytes of a new chip. Default 0. */
  readonly rdp?: RdpLevel;
  /** DBGMCU_IDCODE REV_ID. Default 0x1000. */
  readonly revId?: number;
  /** 96-bit unique ID: 12 bytes, or 24 hex digits, U_ID[7:0] first. */
  readonly uid?: Uint8Array | string;
}

/**
 * A simulated STM32 chip of the given part, with the flash controller model of its
 * family. Every DEV_ID of @flashwright/stm32-devices can be instantiated; which families are
 * modelled at the behaviour level is listed in packages/sim/README.md.
 */
export function createStm32Chip(options: Stm32ChipOptions): Stm32Chip {
  const { device, partName, partKiB } = resolveDevice(options.device);
  const flashSizeRaw = options.flashSizeRaw ?? defaultFlashSizeRaw(device, partKiB);
  // STM32WB0x/WL3x: a 17-bit word offset (FLASH_CTRL SIZE); everywhere else 16 bits.
  const decode = device.flashSizeDecode;
  const maxRaw = decode.kind === 'last-word' ? decode.mask : 0xffff;
  if (!Number.isInteger(flashSizeRaw) || flashSizeRaw < 0 || flashSizeRaw > maxRaw) {
    throw new RangeError(
      `flashSizeRaw must be a ${maxRaw === 0xffff ? '16' : '17'}-bit value, got ${flashSizeRaw}`,
    );
  }
  const decodedKiB = decodeFlashSizeKiB(device, flashSizeRaw);
  // The cells are the part's; the register only says what the factory wrote.
  const flashKiB =
    partKiB ??
    (decodedKiB !== undefined && decodedKiB <= device.maxFlashKiB
      ? decodedKiB
      : device.maxFlashKiB);
  const rdp = options.rdp ?? 0;
  if (rdp === 2 && device.rdp.level2 === undefined) {
    throw new RangeError(`${partName} has no RDP level 2`);
  }
  const ctx: Stm32Context = { device, flashKiB, timing: timingOf(device), initialRdp: rdp };
  const info: FactoryInfo = {
    flashSizeRaw,
    revId: options.revId ?? 0x1000,
    uid: uidBytes(options.uid),
  };
  // SRAM size unknown for a few newer parts: assume the smallest STM32 SRAM, so a host
  // never gets more RAM from the simulator than the part could have.
  const ramBytes = device.ramBytes ?? 4096;
  return new Stm32Chip(partName, device, flashKiB, ramBytes, controllerFor(ctx), info);
}

function controllerFor(ctx: Stm32Context): FlashController {
  switch (ctx.device.controller.kind) {
    case 'f0-f1-f3':
      return new F0F1F3Controller(ctx);
    case 'f2-f4-f7':
      return new F2F4F7Controller(ctx);
    case 'l0-l1':
      return new L0L1Controller(ctx);
    case 'l4':
    case 'wb-wl':
      return new L4Controller(ctx);
    case 'l5-u5':
      // L5, U5, U3 and WBA with TrustZone disabled (l4-registers.ts).
      return new L4Controller(ctx);
    case 'bluenrg-lp':
      return new BlueNrgLpController(ctx);
    case 'h7':
      // H7R/H7S: the H5-style interface with status in ISR/ICR (RM0477), not the H7 one.
      return ctx.device.devId === 0x485 ? new EflashController(ctx) : new H7Controller(ctx);
    case 'h5':
      return new EflashController(ctx);
  }
}

interface ResolvedDevice {
  readonly device: Stm32DeviceData;
  readonly partName: string;
  /** Flash size from the part number, when the part number gives one. */
  readonly partKiB: number | undefined;
}

function resolveDevice(given: string | number): ResolvedDevice {
  // A DEV_ID may come as text ("0x436", probe.options.device of the virtual probe).
  const spec =
    typeof given === 'string' && /^0x[0-9a-f]{1,4}$/i.test(given.trim())
      ? Number(given.trim())
      : given;
  if (typeof spec === 'number') {
    const device = findStm32Device(spec);
    if (!device) throw new RangeError(`no STM32 with DEV_ID 0x${spec.toString(16)} is known`);
    return { device, partName: device.name, partKiB: undefined };
  }
  const part = parsePartNumber(spec);
  if (!part) throw new RangeError(`"${spec}" is not an STM32 part number`);
  if (part.devIds.length !== 1) {
    const ids = part.devIds.map((id) => `0x${id.toString(16)}`).join(', ');
    throw new RangeError(
      part.devIds.length === 0
        ? `no STM32 device is known for ${spec}`
        : `${spec} matches several devices (DEV_ID ${ids}); give the DEV_ID instead (e.g. device: 0x${part.devIds[0]?.toString(16) ?? ''})`,
    );
  }
  const device = findStm32Device(part.devIds[0] ?? -1);
  if (!device) throw new RangeError(`no STM32 device is known for ${spec}`);
  if (part.flashKiB !== undefined && part.flashKiB > device.maxFlashKiB) {
    throw new RangeError(`${spec}: ${part.flashKiB} KiB exceeds the ${device.name} maximum`);
  }
  return { device, partName: spec.trim(), partKiB: part.flashKiB };
}

/**
 * The factory value of the flash-size register: the size in KiB (OpenOCD
 * src/flash/nor/stm32*.c, stlink-org common.c stlink_load_device_params), or on the L1 parts
 * that code it 0 = 384 KiB, 1 = 256 KiB (RM0038 "Flash size register", quoted in
 * STM32CubeL1 issue #16).
 */
export function defaultFlashSizeRaw(device: Stm32DeviceData, partKiB?: number): number {
  const kib = partKiB ?? device.maxFlashKiB;
  const decode = device.flashSizeDecode;
  // STM32WB0x/WL3x FLASH_CTRL SIZE: the last valid word offset (families/bluenrg-lp.ts).
  if (decode.kind === 'last-word') return (kib * 1024) / 4 - 1;
  if (decode.kind === 'l1-code') return kib === 256 ? 1 : kib === 384 ? 0 : kib;
  // 0x429: "only LSB part of F_SIZE: F_SIZE[7:0] is valid. The MSB part F_SIZE[15:8] is
  // reserved and must be ignored" (RM0038, quoted in STM32CubeL1 issue #6). 0x6B is the
  // upper byte of the register value (0x6B80) behind the "27520 KB" reports.
  if (device.devId === 0x429) return 0x6b00 | (kib & 0xff);
  return kib & 0xffff;
}

function timingOf(device: Stm32DeviceData): FlashTiming | undefined {
  const byLine: Readonly<Record<string, FlashFamily>> = {
    STM32F0: 'f0',
    STM32F1: 'f1',
    STM32F3: 'f3',
    STM32F2: 'f2',
    STM32F4: 'f4',
    STM32F7: 'f7',
    STM32L0: 'l0',
    STM32L1: 'l1',
    STM32L4: 'l4',
    'STM32L4+': 'l4',
    STM32G0: 'g0',
    // No C0/U0 datasheet figure was collected: the G0 figures (same controller) stand in.
    STM32C0: 'g0',
    STM32U0: 'g0',
    STM32G4: 'g4',
    STM32WB: 'wb',
    STM32WL: 'wl',
    STM32H7: 'h7',
  };
  const family = byLine[device.line];
  return family ? flashTimings[family] : undefined;
}

/**
 * A plausible STM32 unique ID: X and Y wafer coordinates (16 bits each), wafer number and
 * a 7-character ASCII lot number, the layout ST documents for the 96-bit UID.
 */
const DEFAULT_UID = new Uint8Array([
  0x12,
  0x00,
  0x34,
  0x00,
  0x05,
  ...Array.from('SIMLOT1', (c) => c.charCodeAt(0)),
]);

function uidBytes(uid: Uint8Array | string | undefined): Uint8Array {
  if (uid === undefined) return DEFAULT_UID.slice();
  const bytes = typeof uid === 'string' ? hexToBytes(uid) : uid.slice();
  if (bytes.length !== 12) throw new RangeError(`a UID is 12 bytes, got ${bytes.length}`);
  return bytes;
}
