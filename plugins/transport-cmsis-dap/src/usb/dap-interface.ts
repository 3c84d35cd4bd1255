import { knownProbe, saysCmsisDap } from '../protocol/probe-ids.js';

/** USB interface classes (USB-IF class codes). */
const HID_CLASS = 0x03;
const VENDOR_CLASS = 0xff;

/** Where a probe's CMSIS-DAP lives on its USB device. */
export interface DapInterface {
  /** v2: vendor-class interface with bulk endpoints; v1: HID interface with reports. */
  readonly version: 'v1' | 'v2';
  readonly configurationValue: number;
  readonly interfaceNumber: number;
  readonly outEndpoint: number | undefined;
  readonly inEndpoint: number;
  /** wMaxPacketSize of the IN endpoint: the report size of a v1 probe. */
  readonly packetBytes: number;
}

/**
 * Finds the CMSIS-DAP interface the way pyOCD (pyocd/probe/pydapaccess/interface/
 * pyusb_v2_backend.py, _match_cmsis_dap_v2_interface) and probe-rs (probe/cmsisdap/tools.rs)
 * do: v2 is a vendor-specific interface whose string contains "CMSIS-DAP", with a bulk OUT
 * and a bulk IN endpoint; v1 is a HID interface with an interrupt IN (and usually OUT)
 * endpoint on a device whose product or interface string says "CMSIS-DAP" or whose VID:PID
 * is a known probe. v2 wins when a probe offers both.
 */
export function findDapInterface(device: USBDevice): DapInterface | undefined {
  const configuration = device.configuration ?? device.configurations[0];
  if (!configuration) return undefined;
  const deviceSays =
    saysCmsisDap(device.productName) || knownProbe(device.vendorId, device.productId) !== undefined;
  let v1: DapInterface | undefined;
  for (const iface of configuration.interfaces) {
    const alternate = iface.alternates[0] ?? iface.alternate;
    const named = saysCmsisDap(alternate.interfaceName);
    const find = (type: USBEndpointType, direction: USBDirection): USBEndpoint | undefined =>
      alternate.endpoints.find((e) => e.type === type && e.direction === direction);
    if (alternate.interfaceClass === VENDOR_CLASS && named) {
      const out = find('bulk', 'out');
      const inn = find('bulk', 'in');
      if (out && inn) {
        return {
          version: 'v2',
          configurationValue: configuration.configurationValue,
          interfaceNumber: iface.interfaceNumber,
          outEndpoint: out.endpointNumber,
          inEndpoint: inn.endpointNumber,
          packetBytes: inn.packetSize,
        };
      }
    }
    if (alternate.interfaceClass === HID_CLASS && (named || deviceSays) && !v1) {
      const inn = find('interrupt', 'in');
      if (inn) {
        v1 = {
          version: 'v1',
          configurationValue: configuration.configurationValue,
          interfaceNumber: iface.interfaceNumber,
          outEndpoint: find('interrupt', 'out')?.endpointNumber,
          inEndpoint: inn.endpointNumber,
          packetBytes: inn.packetSize,
        };
      }
    }
  }
  return v1;
}
