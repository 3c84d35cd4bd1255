import { FlashwrightError, isFlashwrightError } from '@flashwright/core';
import type { ProbeListing, ProbeRequest, TransportFactory } from '@flashwright/core/plugin';
import { CmsisDapProbe } from './driver/cmsis-dap-probe.js';
import { knownProbe, saysCmsisDap } from './protocol/probe-ids.js';
import { findDapInterface, type DapInterface } from './usb/dap-interface.js';
import { HidPacketChannel, type HidReportDevice } from './usb/hid-channel.js';
import { WebUsbPacketChannel, type PacketChannel } from './usb/packet-channel.js';
import { udevHint } from './usb/udev.js';
import { usbError } from './usb/usb-errors.js';
import { chooseProbe, type UsbBackend } from '@flashwright/usb-probe';

export type { UsbBackend } from '@flashwright/usb-probe';

const PROBE_NOUNS = { one: 'CMSIS-DAP probe', many: 'CMSIS-DAP probes' };

export interface HidDeviceInfo {
  readonly vendorId: number;
  readonly productId: number;
  readonly path: string;
  readonly serialNumber?: string | undefined;
  readonly product?: string | undefined;
  readonly interfaceNumber: number;
}

/** HID devices for CMSIS-DAP v1 (node-hid on Node, WebHID in a browser). */
export interface HidBackend {
  devices(): Promise<HidDeviceInfo[]>;
  open(path: string): Promise<HidReportDevice>;
}

export interface CmsisDapTransportOptions {
  /** Open each probe during list() to read DAP_Info (default true). */
  readonly readInfoOnList?: boolean;
  /** For the udev hint; defaults to the running platform. */
  readonly platform?: string;
  /** HID access for v1 probes; without it v1 goes through WebUSB's interrupt endpoints. */
  readonly hid?: HidBackend | undefined;
}

interface Candidate {
  readonly device: USBDevice;
  readonly dapInterface: DapInterface;
  readonly name: string;
  readonly serial: string | undefined;
  /** Why the probe's descriptors could not be read (then `dapInterface` is a placeholder). */
  readonly problem?: FlashwrightError;
}

async function candidates(backend: UsbBackend, signal?: AbortSignal): Promise<Candidate[]> {
  const found: Candidate[] = [];
  for (const device of await backend.getDevices(signal)) {
    const name =
      device.productName ??
      knownProbe(device.vendorId, device.productId)?.name ??
      'CMSIS-DAP probe';
    const serial = device.serialNumber ?? undefined;
    let dapInterface: DapInterface | undefined;
    try {
      dapInterface = findDapInterface(device);
    } catch (error) {
      // node `usb` 3 opens the device to read its configuration (interface strings), so a
      // device this user may not open throws here. Only a device whose product string or
      // VID:PID says CMSIS-DAP is reported (with the reason); any other device is not ours.
      const known =
        saysCmsisDap(device.productName) ||
        knownProbe(device.vendorId, device.productId) !== undefined;
      if (!known) continue;
      const problem = usbError(error, 'reading the USB configuration');
      found.push({ device, dapInterface: UNREAD_INTERFACE, name, serial, problem });
      continue;
    }
    if (dapInterface) found.push({ device, dapInterface, name, serial });
  }
  return found;
}

/** Stands in for the interface of a candidate whose descriptors could not be read. */
const UNREAD_INTERFACE: DapInterface = {
  version: 'v2',
  configurationValue: 1,
  interfaceNumber: 0,
  outEndpoint: 0,
  inEndpoint: 0,
  packetBytes: 64,
};

function label(c: Candidate, index: number): string {
  return `#${index} ${c.name} (CMSIS-DAP ${c.dapInterface.version}) serial ${c.serial ?? '(none)'}`;
}

/** The transport plugin object for CMSIS-DAP probes reachable through `backend`. */
export function createCmsisDapTransport(
  backend: UsbBackend,
  options: CmsisDapTransportOptions = {},
): TransportFactory {
  const platform = options.platform ?? globalThis.process?.platform ?? 'browser';

  const withUdevHint = (error: unknown, device: USBDevice): unknown => {
    if (
      !isFlashwrightError(error) ||
      error.code !== 'PROBE_ACCESS_DENIED' ||
      platform !== 'linux'
    ) {
      return error;
    }
    return new FlashwrightError(error.code, error.message, {
      hint: udevHint(device.vendorId, device.productId),
      cause: error,
    });
  };

  async function channelFor(
    c: Candidate,
    timeoutMs: number | undefined,
    signal?: AbortSignal,
  ): Promise<PacketChannel> {
    if (c.problem) throw c.problem;
    if (c.dapInterface.version === 'v1' && options.hid) {
      const hid = (await options.hid.devices()).find(
        (d) =>
          d.vendorId === c.device.vendorId &&
          d.productId === c.device.productId &&
          // hidapi reports -1 where the platform does not say (macOS for some devices).
          (d.interfaceNumber < 0 || d.interfaceNumber === c.dapInterface.interfaceNumber) &&
          (c.serial === undefined || d.serialNumber === c.serial),
      );
      if (hid) {
        return new HidPacketChannel(
          await options.hid.open(hid.path),
          c.dapInterface.packetBytes,
          timeoutMs,
        );
      }
    }
    return WebUsbPacketChannel.open(c.device, c.dapInterface, { timeoutMs, signal });
  }

  async function describe(c: Candidate, signal?: AbortSignal): Promise<ProbeListing> {
    const base = {
      transport: 'cmsis-dap',
      name: c.name,
      serial: c.serial,
      vendorId: c.device.vendorId,
      productId: c.device.productId,
      hardwareVersion: `CMSIS-DAP ${c.dapInterface.version}`,
    };
    if (options.readInfoOnList === false) return { ...base, usable: true };
    let probe: CmsisDapProbe | undefined;
    try {
      probe = await CmsisDapProbe.open(await channelFor(c, undefined, signal), c.device, {
        signal,
      });
      return {
        ...base,
        hardwareVersion: probe.info.hardwareVersion,
        firmwareVersion: probe.info.firmwareVersion,
        usable: true,
      };
    } catch (error) {
      const failure = withUdevHint(error, c.device);
      if (!isFlashwrightError(failure)) throw failure;
      return {
        ...base,
        usable: false,
        problem: {
          code: failure.code,
          message: failure.message,
          ...(failure.hint === undefined ? {} : { hint: failure.hint }),
        },
      };
    } finally {
      await probe?.close();
    }
  }

  return {
    id: 'cmsis-dap',
    description:
      'CMSIS-DAP debug probes (DAPLink, Raspberry Pi Debug Probe, MCU-Link, J-Link OB in CMSIS-DAP mode) over USB (SWD)',

    async list(signal) {
      const listings: ProbeListing[] = [];
      for (const c of await candidates(backend, signal)) listings.push(await describe(c, signal));
      return listings;
    },

    async open(request: ProbeRequest, signal?: AbortSignal) {
      const all = await candidates(backend, signal);
      const chosen = chooseProbe(all, request, PROBE_NOUNS, label);
      const timeoutMs = request.options['timeoutMs'];
      try {
        const channel = await channelFor(
          chosen,
          typeof timeoutMs === 'number' ? timeoutMs : undefined,
          signal,
        );
        return await CmsisDapProbe.open(channel, chosen.device, { log: request.log, signal });
      } catch (error) {
        throw withUdevHint(error, chosen.device);
      }
    },
  };
}
