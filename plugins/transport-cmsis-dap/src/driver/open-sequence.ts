import { FlashwrightError } from '@flashwright/core';
import {
  connect,
  hostStatus,
  swdConfigure,
  swjClock,
  transferConfigure,
} from '../protocol/general.js';
import {
  infoCapabilities,
  infoPacketCount,
  infoPacketSize,
  infoString,
  type Capabilities,
} from '../protocol/info.js';
import { InfoId } from '../protocol/constants.js';
import type { DapDriver } from './dap-driver.js';

/** What a CMSIS-DAP probe says about itself through DAP_Info. */
export interface DapProbeInfo {
  readonly vendor: string | undefined;
  readonly product: string | undefined;
  readonly serial: string | undefined;
  /** CMSIS-DAP protocol version, e.g. "2.1.0". */
  readonly protocolVersion: string | undefined;
  /** Product firmware version (DAP_Info 0x09, protocol 2.1 and later). */
  readonly firmwareVersion: string | undefined;
  readonly capabilities: Capabilities;
  readonly packetCount: number;
  readonly packetBytes: number;
}

/**
 * Reads DAP_Info: packet size first (every probe answers it in the smallest packet), then
 * packet count, after which the driver uses both; then capabilities and the strings.
 */
export async function readProbeInfo(
  driver: DapDriver,
  signal?: AbortSignal,
): Promise<DapProbeInfo> {
  const packetBytes = await driver.send(infoPacketSize(), signal);
  const packetCount = await driver.send(infoPacketCount(), signal);
  driver.configure(packetBytes, packetCount);
  const capabilities = await driver.send(infoCapabilities(), signal);
  const text = (id: Parameters<typeof infoString>[0]): Promise<string | undefined> =>
    driver.send(infoString(id), signal);
  return {
    vendor: await text(InfoId.VENDOR),
    product: await text(InfoId.PRODUCT),
    serial: await text(InfoId.SERIAL),
    protocolVersion: await text(InfoId.PROTOCOL_VERSION),
    firmwareVersion: await text(InfoId.FIRMWARE_VERSION),
    capabilities,
    packetCount,
    packetBytes,
  };
}

/**
 * WAIT retries per transaction: pyOCD configures 80 (pyocd/probe/cmsis_dap_probe.py,
 * transfer_configure), Arm's firmware defaults to 100 (DAP.c DAP_Setup).
 */
export const DEFAULT_WAIT_RETRY = 80;
/** The SWD clock when the recipe names none: 1 MHz, DAP_DEFAULT_SWJ_CLOCK of most firmware. */
export const DEFAULT_SPEED_KHZ = 1000;

/**
 * Puts the probe into SWD mode before the line reset: DAP_Connect(SWD), DAP_SWJ_Clock,
 * DAP_TransferConfigure (no idle cycles, WAIT retries, no match retries), DAP_SWD_Configure
 * (one turnaround clock, no forced data phase), and the connect LED.
 */
export async function startSwd(
  driver: DapDriver,
  capabilities: Capabilities,
  options: { readonly speedKhz: number; readonly waitRetry: number },
  signal?: AbortSignal,
): Promise<void> {
  if (!capabilities.swd) {
    throw new FlashwrightError(
      'PROBE_PROTOCOL_ERROR',
      'This CMSIS-DAP probe does not offer SWD (DAP_Info capabilities)',
      {
        hint: 'flashwright talks SWD only; use a probe whose firmware offers SWD.',
      },
    );
  }
  await driver.send(connect('swd'), signal);
  await driver.send(swjClock(Math.round(options.speedKhz * 1000)), signal);
  await driver.send(
    transferConfigure({ idleCycles: 0, waitRetry: options.waitRetry, matchRetry: 0 }),
    signal,
  );
  await driver.send(swdConfigure(1, false), signal);
  await driver.send(hostStatus('connected', true), signal);
}
