/**
 * DPIDR and AP IDR decoding (ARM IHI 0031 ADIv5.2: the DPIDR register description, "IDR, AP
 * Identification Register"). JEP106 designer codes: JEDEC JEP106; 0x23B is Arm, 0x144
 * (bank 3, 0x44) Nordic Semiconductor, whose CTRL-AP has IDR 0x02880000 (nRF52832 Product
 * Specification, chapter CTRL-AP, register IDR).
 */

/** JEP106 designer codes (continuation << 7 | identity) that decoding names. */
export const Jep106 = {
  ARM: 0x23b,
  NORDIC: 0x144,
} as const;

const designerNames: Readonly<Record<number, string>> = {
  [Jep106.ARM]: 'Arm',
  [Jep106.NORDIC]: 'Nordic Semiconductor',
};

/** The name of a JEP106 designer code, or its hex value. */
export function designerName(code: number): string {
  return designerNames[code] ?? `JEP106 0x${code.toString(16).padStart(3, '0')}`;
}

/** A decoded DPIDR. */
export interface DpIdentity {
  readonly raw: number;
  /** REVISION, bits [31:28]. */
  readonly revision: number;
  /** PARTNO, bits [27:20]. */
  readonly partNo: number;
  /** MIN, bit 16: a minimal DP without pushed compare and verify. */
  readonly minimal: boolean;
  /** VERSION, bits [15:12]: 0 = DPv0, 1 = DPv1, 2 = DPv2, 3 = DPv3. */
  readonly version: number;
  /** DESIGNER, bits [11:1] (JEP106: continuation << 7 | identity). */
  readonly designer: number;
}

export function decodeDpidr(raw: number): DpIdentity {
  return {
    raw: raw >>> 0,
    revision: raw >>> 28,
    partNo: (raw >>> 20) & 0xff,
    minimal: ((raw >>> 16) & 1) === 1,
    version: (raw >>> 12) & 0xf,
    designer: (raw >>> 1) & 0x7ff,
  };
}

/**
 * A DPIDR that no DP returns: bit 0 reads as one on every DP (RAO), and an undriven line or a
 * stuck one reads as all zeros or all ones.
 */
export function isPlausibleDpidr(raw: number): boolean {
  return (raw & 1) === 1 && raw >>> 0 !== 0xffffffff;
}

/** AP CLASS, IDR bits [16:13]. */
export type ApClass = 'mem-ap' | 'com-ap' | 'jtag-ap' | 'vendor' | 'unknown';

/** MEM-AP bus, IDR TYPE [3:0] when CLASS is MEM-AP. */
export type MemApBus = 'ahb3' | 'apb' | 'axi' | 'ahb5' | 'apb4' | 'axi5' | 'ahb5-hprot';

const memApBuses: Readonly<Record<number, MemApBus>> = {
  0x1: 'ahb3',
  0x2: 'apb',
  0x4: 'axi',
  0x5: 'ahb5',
  0x6: 'apb4',
  0x7: 'axi5',
  0x8: 'ahb5-hprot',
};

const busNames: Readonly<Record<MemApBus, string>> = {
  ahb3: 'AHB-AP',
  apb: 'APB-AP',
  axi: 'AXI-AP',
  ahb5: 'AHB5-AP',
  apb4: 'APB4-AP',
  axi5: 'AXI5-AP',
  'ahb5-hprot': 'AHB5-AP (enhanced HPROT)',
};

/** A decoded AP IDR. */
export interface ApIdentity {
  readonly idr: number;
  readonly revision: number;
  readonly designer: number;
  readonly class: ApClass;
  readonly variant: number;
  readonly type: number;
  /** The bus of a MEM-AP; undefined for other classes or an unknown TYPE. */
  readonly bus: MemApBus | undefined;
  /** E.g. "AHB-AP", "JTAG-AP", "Nordic CTRL-AP". */
  readonly name: string;
}

const CLASS_MEM_AP = 0x8;
const CLASS_COM_AP = 0x1;
/** Nordic's CTRL-AP (nRF52 Product Specification, CTRL-AP IDR reset value). */
export const NORDIC_CTRL_AP_IDR = 0x02880000;

export function decodeApIdr(raw: number): ApIdentity {
  const value = raw >>> 0;
  const designer = (value >>> 17) & 0x7ff;
  const classBits = (value >>> 13) & 0xf;
  const type = value & 0xf;
  const base = { idr: value, revision: value >>> 28, designer, variant: (value >>> 4) & 0xf, type };
  if (classBits === CLASS_MEM_AP) {
    const bus = memApBuses[type];
    return { ...base, class: 'mem-ap', bus, name: bus ? busNames[bus] : `MEM-AP (type ${type})` };
  }
  if (classBits === CLASS_COM_AP)
    return { ...base, class: 'com-ap', bus: undefined, name: 'COM-AP' };
  if (classBits === 0 && designer === Jep106.ARM && type === 0) {
    return { ...base, class: 'jtag-ap', bus: undefined, name: 'JTAG-AP' };
  }
  if (classBits === 0 && designer !== Jep106.ARM) {
    const name =
      (value & 0x0fffffff) === NORDIC_CTRL_AP_IDR
        ? 'Nordic CTRL-AP'
        : `${designerName(designer)} AP (IDR 0x${value.toString(16).padStart(8, '0')})`;
    return { ...base, class: 'vendor', bus: undefined, name };
  }
  return {
    ...base,
    class: 'unknown',
    bus: undefined,
    name: `AP (IDR 0x${value.toString(16).padStart(8, '0')})`,
  };
}
