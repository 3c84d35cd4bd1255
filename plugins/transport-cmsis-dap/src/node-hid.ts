/**
 * The one file that imports `node-hid` (CMSIS-DAP v1 on Node: hidapi through node-hid, whose
 * npm package carries prebuilt binaries for Linux, macOS and Windows, so nothing is
 * downloaded at install time). Loaded lazily: a machine without it still lists and uses
 * CMSIS-DAP v2 probes, and v1 probes through WebUSB's interrupt endpoints.
 */
import type { HidBackend, HidDeviceInfo } from './transport.js';
import type { HidReportDevice } from './usb/hid-channel.js';

interface NodeHidModule {
  devicesAsync(): Promise<
    {
      vendorId: number;
      productId: number;
      path?: string;
      serialNumber?: string;
      product?: string;
      interface: number;
    }[]
  >;
  HIDAsync: { open(path: string): Promise<HidReportDevice> };
}

let loaded: Promise<NodeHidModule | undefined> | undefined;

async function load(): Promise<NodeHidModule | undefined> {
  try {
    const module = (await import('node-hid')) as unknown as NodeHidModule & {
      default?: NodeHidModule;
    };
    return module.default ?? module;
  } catch {
    return undefined;
  }
}

export const nodeHidBackend: HidBackend = {
  async devices(): Promise<HidDeviceInfo[]> {
    loaded ??= load();
    const hid = await loaded;
    if (!hid) return [];
    const found = await hid.devicesAsync().catch(() => []);
    return found
      .filter((d) => d.path !== undefined)
      .map((d) => ({
        vendorId: d.vendorId,
        productId: d.productId,
        path: d.path ?? '',
        serialNumber: d.serialNumber,
        product: d.product,
        interfaceNumber: d.interface,
      }));
  },
  async open(path: string): Promise<HidReportDevice> {
    loaded ??= load();
    const hid = await loaded;
    if (!hid) throw new Error('node-hid could not be loaded');
    return hid.HIDAsync.open(path);
  },
};
