import { FlashwrightError, isFlashwrightError } from '@flashwright/core';
import type { ProbeListing, ProbeRequest, TransportFactory } from '@flashwright/core/plugin';
import { StLinkProbe } from './driver/stlink-probe.js';
import { readProbeVersion } from './driver/stlink-driver.js';
import { stLinkModel, type StLinkModel } from './protocol/probe-ids.js';
import { formatVersion } from './protocol/version.js';
import { decodeSerial } from './usb/serial.js';
import { udevHint } from './usb/udev.js';
import { UsbLink } from './usb/usb-link.js';
import { chooseProbe, type UsbBackend } from '@flashwright/usb-probe';

export type { UsbBackend } from '@flashwright/usb-probe';

const PROBE_NOUNS = { one: 'ST-Link', many: 'ST-Links' };

export interface StLinkTransportOptions {
  /** Open each probe during list() to read its firmware version (default true). */
  readonly readFirmwareOnList?: boolean;
  /** For the udev hint; defaults to the running platform. */
  readonly platform?: string;
}

interface Candidate {
  readonly device: USBDevice;
  readonly model: StLinkModel;
  readonly serial: string | undefined;
}

async function candidates(backend: UsbBackend, signal?: AbortSignal): Promise<Candidate[]> {
  const found: Candidate[] = [];
  for (const device of await backend.getDevices(signal)) {
    const model = stLinkModel(device.vendorId, device.productId);
    if (model) found.push({ device, model, serial: decodeSerial(device.serialNumber).serial });
  }
  return found;
}

function label(c: Candidate, index: number): string {
  return `#${index} ${c.model.name} serial ${c.serial ?? '(none)'}`;
}

/** The transport plugin object for ST-Links reachable through `backend`. */
export function createStLinkTransport(
  backend: UsbBackend,
  options: StLinkTransportOptions = {},
): TransportFactory {
  const platform = options.platform ?? globalThis.process?.platform ?? 'browser';

  async function describe(c: Candidate, signal?: AbortSignal): Promise<ProbeListing> {
    const base = {
      transport: 'stlink',
      name: c.model.name,
      serial: c.serial,
      vendorId: c.device.vendorId,
      productId: c.device.productId,
      hardwareVersion: c.model.line,
    };
    if (c.model.loader) {
      return {
        ...base,
        usable: false,
        problem: {
          code: 'PROBE_PROTOCOL_ERROR',
          message: 'in firmware-update (USB loader) mode',
          hint: 'Finish the firmware update, then replug the probe.',
        },
      };
    }
    if (c.model.line === 'V1') {
      return {
        ...base,
        usable: false,
        problem: { code: 'PROBE_FIRMWARE_TOO_OLD', message: 'ST-LINK/V1 is not supported' },
      };
    }
    if (options.readFirmwareOnList === false) return { ...base, usable: true };
    let link: UsbLink | undefined;
    try {
      link = await UsbLink.open(c.device, c.model, { signal });
      const version = await readProbeVersion(link, signal);
      return { ...base, firmwareVersion: formatVersion(version), usable: true };
    } catch (error) {
      if (!isFlashwrightError(error)) throw error;
      const hint =
        error.code === 'PROBE_ACCESS_DENIED' && platform === 'linux'
          ? udevHint(c.device.productId, c.device.vendorId)
          : error.hint;
      return {
        ...base,
        usable: false,
        problem: {
          code: error.code,
          message: error.message,
          ...(hint === undefined ? {} : { hint }),
        },
      };
    } finally {
      await link?.close();
    }
  }

  return {
    id: 'stlink',
    description: 'ST-Link V2, V2-1 and V3 debug probes over USB (SWD)',

    async list(signal) {
      const listings: ProbeListing[] = [];
      for (const c of await candidates(backend, signal)) listings.push(await describe(c, signal));
      return listings;
    },

    async open(request: ProbeRequest, signal?: AbortSignal) {
      const all = (await candidates(backend, signal)).filter((c) => !c.model.loader);
      const chosen = chooseProbe(all, request, PROBE_NOUNS, label);
      const timeoutMs = request.options['timeoutMs'];
      try {
        return await StLinkProbe.open(chosen.device, {
          log: request.log,
          signal,
          timeoutMs: typeof timeoutMs === 'number' ? timeoutMs : undefined,
        });
      } catch (error) {
        if (
          isFlashwrightError(error) &&
          error.code === 'PROBE_ACCESS_DENIED' &&
          platform === 'linux'
        ) {
          throw new FlashwrightError(error.code, error.message, {
            hint: udevHint(chosen.device.productId, chosen.device.vendorId),
            cause: error,
          });
        }
        throw error;
      }
    },
  };
}
