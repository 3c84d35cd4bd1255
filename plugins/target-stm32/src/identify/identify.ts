import { FlashwrightError } from '@flashwright/core';
import { CortexM, type CpuId } from '@flashwright/core/arm';
import type { Device, IdentifyOptions, TargetContext } from '@flashwright/core/plugin';
import { findStm32Device, isDualBank, type Stm32DeviceData } from '@flashwright/stm32-devices';
import type { ControllerContext } from '../flash/controller.js';
import { createController } from '../flash/create-controller.js';
import { targetClock } from '../flash/flash-clock.js';
import { deviceName } from '../device/naming.js';
import { flashRegions, parallelismFor, ramRegions } from '../device/regions.js';
import { Stm32Device } from '../device/stm32-device.js';
import { cloneNote, correctDevId, type Idcode, noResponse, readIdcode } from './idcode.js';
import { deviceFlashSize, readFlashSizeRegister, resolveFlashSize } from './flash-size.js';

const ARM_IMPLEMENTER = 0x41;

function hex(value: number, digits = 3): string {
  return `0x${(value >>> 0).toString(16).toUpperCase().padStart(digits, '0')}`;
}

async function readCpuId(ctx: TargetContext, signal?: AbortSignal): Promise<CpuId> {
  let cpuId: CpuId;
  try {
    cpuId = await new CortexM(ctx.memory).cpuId(signal);
  } catch (error) {
    if (error instanceof Error && error.name === 'AbortError') throw error;
    if (error instanceof FlashwrightError && error.code !== 'TARGET_FAULT') throw error;
    throw noResponse(error);
  }
  if (cpuId.raw === 0 || cpuId.raw === 0xffffffff) throw noResponse(undefined, cpuId.raw);
  return cpuId;
}

/** Option register that selects the bank mode, where the part has one. */
async function readBankMode(
  ctx: TargetContext,
  data: Stm32DeviceData,
  flashKiB: number,
  signal?: AbortSignal,
): Promise<boolean> {
  const bits = data.dualBank?.modeBits ?? [];
  const registers: { OPTR?: number; OPTCR?: number } = {};
  // OPTR is at +0x20 (L4 family) or +0x40 (L5/U5); OPTCR at +0x14 (F4/F7).
  for (const name of new Set(bits.map((b) => b.register))) {
    const offset = name === 'OPTCR' ? 0x14 : data.controller.kind === 'l5-u5' ? 0x40 : 0x20;
    registers[name] = await ctx.memory.read32(data.controller.base + offset, signal);
  }
  return isDualBank(data, flashKiB, registers);
}

/**
 * Identifies an STM32: CPUID, then DBGMCU_IDCODE at the address for that core (probing the
 * others too), the database entry, the flash size with its quirks, the bank mode and the
 * programming parallelism. Undefined when nothing answers like an STM32.
 */
export async function identifyStm32(
  ctx: TargetContext,
  options: IdentifyOptions = {},
): Promise<Device | undefined> {
  const { signal } = options;
  const cpuId = await readCpuId(ctx, signal);
  if (cpuId.implementer !== ARM_IMPLEMENTER) return undefined;
  const idcode = await readIdcode(ctx.memory, cpuId.partNo, signal);
  if (!idcode) return undefined;
  const notes: string[] = [];
  const correction = correctDevId(idcode.devId, cpuId.partNo);
  if (correction.note) notes.push(correction.note);
  const data = findStm32Device(correction.devId);
  if (!data) throw unknownDevice(idcode);
  const clone = cloneNote(idcode);
  if (clone) notes.push(clone);

  const raw = await readFlashSizeRegister(
    ctx.memory,
    data.flashSizeRegister,
    signal,
    data.flashSizeDecode.kind === 'last-word',
  );
  const size = resolveFlashSize(data, raw, options.flashSizeBytes);
  notes.push(...size.notes);
  const dualBank = await readBankMode(ctx, data, size.kib, signal);
  const volts = await ctx.probe.targetVoltage?.(signal);
  const parallelism = parallelismFor(data, volts);
  if (parallelism.note) notes.push(parallelism.note);
  const flash = flashRegions(data, size.kib, dualBank, parallelism.bytes);

  const controllerContext: ControllerContext = {
    memory: ctx.memory,
    data,
    banks: flash,
    clock: targetClock(ctx.probe),
    log: ctx.log,
    parallelismBytes: parallelism.bytes,
    ram: ramRegions(data),
    loader: options.loader,
    // A memory-only probe (a GDB server) gives no debug access to the core to run code with.
    loaderUnavailable:
      ctx.probe.access.level === 'memory'
        ? `the probe (${ctx.probe.info.name}) gives memory access only and cannot run code`
        : undefined,
    reattach: () => Stm32Device.reattach(ctx),
    resetHalt: async () => {
      try {
        await ctx.probe.reset('software', { halt: true });
      } catch {
        await Stm32Device.reattach(ctx);
      }
    },
  };
  const controller = createController(controllerContext);

  // Sizes and voltages are strings with their unit: `info` prints numeric facts in hex.
  const facts: Record<string, string | number | boolean> = {
    devId: hex(data.devId),
    revId: hex(idcode.revId, 4),
    idcode: hex(idcode.raw, 8),
    idcodeAddress: hex(idcode.address, 8),
    line: data.line,
    core: `${cpuId.coreName ?? hex(cpuId.partNo)} ${cpuId.revision}`,
    cpuId: hex(cpuId.raw, 8),
    dualBank,
    controller: data.controller.kind,
  };
  if (data.ramBytes !== undefined) facts.ramSize = `${data.ramBytes / 1024} KiB`;
  if (data.writeUnitBytes === 'psize') facts.parallelism = `x${parallelism.bytes * 8}`;
  if (volts !== undefined) facts.targetVoltage = `${volts.toFixed(2)} V`;
  const firmware = ctx.probe.info.firmwareVersion;
  if (firmware !== undefined) facts.probeFirmware = firmware;

  const device = new Stm32Device({
    data,
    name: deviceName(data),
    target: ctx,
    flash,
    ram: ramRegions(data),
    flashSize: deviceFlashSize(data, size),
    ids: { DEV_ID: hex(data.devId), REV_ID: hex(idcode.revId, 4) },
    facts,
    notes,
    controller,
    codeRefused:
      options.loader === 'host' ? 'flash.loader is host: no code runs on the target' : undefined,
  });
  const protection = await device.protection(signal).catch(() => undefined);
  if (protection) {
    facts.rdpLevel = protection.readLevel;
    if (protection.readLevel > 0) {
      notes.push(
        protection.readLevel === 2
          ? 'RDP level 2: the chip is permanently protected'
          : 'RDP level 1: flash readout is blocked. `unprotect: { confirm: mass-erase }` removes it (and erases the flash)',
      );
    }
  }
  return device;
}

function unknownDevice(idcode: Idcode): FlashwrightError {
  return new FlashwrightError(
    'TARGET_UNKNOWN_DEVICE',
    `DBGMCU_IDCODE at ${hex(idcode.address, 8)} reads ${hex(idcode.raw, 8)}: DEV_ID ${hex(idcode.devId)} (REV_ID ${hex(idcode.revId, 4)}) is not in the STM32 device database`,
    {
      hint: 'Run `flashwright devices` for the known ids. If this is a new STM32 line, please report the id.',
      details: { devId: idcode.devId, revId: idcode.revId, address: idcode.address },
    },
  );
}
