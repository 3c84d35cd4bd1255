import type { FlashTiming } from '../timing.js';

/**
 * The nRF52 parts the simulator models: what FICR reports and what the NVMC takes, per part.
 *
 * Sources, per part, the Product Specification (PS) of that part: nRF52840 PS v1.7,
 * nRF52833 PS v1.6, nRF52832 PS v1.8, nRF52820 PS v1.4, nRF52811 PS v1.0, nRF52810 PS v1.3;
 * chapters "FICR - Factory information configuration registers" (INFO.PART, VARIANT,
 * PACKAGE, RAM, FLASH; CODEPAGESIZE, CODESIZE), "NVMC - Non-volatile memory controller"
 * (registers and the electrical specification: tWRITE, tERASEPAGE, tERASEALL, maximum
 * figures) and "UICR". Which silicon has the hardened APPROTECT follows Nordic's MDK
 * (nrfx mdk/nrf52_erratas.h, `nrf52_configuration_249`): the undocumented FICR words at
 * 0x10000130 (part code) and 0x10000134 (revision code), and Nordic's informational
 * notice IN-141 ("nRF52 Series: hardened APPROTECT"), which names the build codes.
 */

export type Nrf52Revision = 'legacy' | 'hardened';

export interface Nrf52Part {
  readonly name: string;
  /** FICR INFO.PART. */
  readonly part: number;
  readonly flashKiB: number;
  readonly ramKiB: number;
  /** FICR INFO.PACKAGE of the package modelled. */
  readonly packageCode: number;
  /** FICR INFO.VARIANT (four ASCII characters, e.g. "AAD0") by revision. */
  readonly variant: Readonly<Record<Nrf52Revision, string>>;
  /** FICR 0x10000130 (part code) and 0x10000134 (revision code) by revision (nrf52_erratas.h). */
  readonly hwPart: number;
  readonly hwRevision: Readonly<Record<Nrf52Revision, number>>;
  /** UICR.REGOUT0 exists (nRF52833, nRF52840: the REG0 stage from VDDH). */
  readonly regout0: boolean;
  /** UICR.NFCPINS exists (not on nRF52810/811/820, which have no NFCT). */
  readonly nfcPins: boolean;
  /** NVMC READYNEXT exists (nRF52833, nRF52840). */
  readonly readyNext: boolean;
  /** NVMC electrical specification, maximum figures. */
  readonly writeWordUs: number;
  readonly erasePageMs: number;
  readonly eraseAllMs: number;
}

/** The legacy and hardened revision codes (0x10000134) of each part. */
const rev = (legacy: number, hardened: number): Record<Nrf52Revision, number> => ({
  legacy,
  hardened,
});

export const NRF52_PARTS: readonly Nrf52Part[] = [
  {
    name: 'nRF52840',
    part: 0x52840,
    flashKiB: 1024,
    ramKiB: 256,
    packageCode: 0x2004,
    // Build code D0 (Engineering D / revision 2) and F0 (revision 3, hardened; IN-141).
    variant: { legacy: 'AAD0', hardened: 'AAF0' },
    hwPart: 0x08,
    hwRevision: rev(0x03, 0x05),
    regout0: true,
    nfcPins: true,
    readyNext: true,
    // nRF52840 PS v1.7, NVMC electrical specification: tWRITE 41 µs, tERASEPAGE 85 ms,
    // tERASEALL 169 ms (maximum).
    writeWordUs: 41,
    erasePageMs: 85,
    eraseAllMs: 169,
  },
  {
    name: 'nRF52833',
    part: 0x52833,
    flashKiB: 512,
    ramKiB: 128,
    packageCode: 0x2004,
    variant: { legacy: 'AAA0', hardened: 'AAB0' },
    hwPart: 0x0d,
    hwRevision: rev(0x01, 0x02),
    regout0: true,
    nfcPins: true,
    readyNext: true,
    // nRF52833 PS v1.6, NVMC electrical specification (maximum).
    writeWordUs: 41,
    erasePageMs: 85,
    eraseAllMs: 169,
  },
  {
    name: 'nRF52832',
    part: 0x52832,
    flashKiB: 512,
    ramKiB: 64,
    packageCode: 0x2000,
    variant: { legacy: 'AAE0', hardened: 'AAG0' },
    hwPart: 0x06,
    hwRevision: rev(0x06, 0x07),
    regout0: false,
    nfcPins: true,
    readyNext: false,
    // nRF52832 PS v1.8, NVMC electrical specification: tWRITE 67.5 µs, tERASEPAGE 89.7 ms,
    // tERASEALL 173 ms (maximum).
    writeWordUs: 67.5,
    erasePageMs: 89.7,
    eraseAllMs: 173,
  },
  {
    name: 'nRF52820',
    part: 0x52820,
    flashKiB: 256,
    ramKiB: 32,
    packageCode: 0x2007,
    variant: { legacy: 'AAC0', hardened: 'AAD0' },
    hwPart: 0x10,
    hwRevision: rev(0x02, 0x03),
    regout0: false,
    nfcPins: false,
    readyNext: false,
    writeWordUs: 41,
    erasePageMs: 85,
    eraseAllMs: 169,
  },
  {
    name: 'nRF52811',
    part: 0x52811,
    flashKiB: 192,
    ramKiB: 24,
    packageCode: 0x2003,
    variant: { legacy: 'AAA0', hardened: 'AAB0' },
    hwPart: 0x0e,
    hwRevision: rev(0x00, 0x01),
    regout0: false,
    nfcPins: false,
    readyNext: false,
    writeWordUs: 41,
    erasePageMs: 85,
    eraseAllMs: 169,
  },
  {
    name: 'nRF52810',
    part: 0x52810,
    flashKiB: 192,
    ramKiB: 24,
    packageCode: 0x2003,
    variant: { legacy: 'AAD0', hardened: 'AAE0' },
    hwPart: 0x0a,
    hwRevision: rev(0x01, 0x02),
    regout0: false,
    nfcPins: false,
    readyNext: false,
    writeWordUs: 41,
    erasePageMs: 85,
    eraseAllMs: 169,
  },
];

/** Flash page size of every nRF52 (FICR CODEPAGESIZE). */
export const NRF52_PAGE_BYTES = 4096;

/**
 * The part a name gives: "nRF52840", "nrf52840", an ordering code "nRF52840-QIAA-F0" (whose
 * build code also tells the revision: see `revisionOfBuildCode`), or "nRF52840_xxAA".
 */
export function findNrf52Part(name: string): Nrf52Part | undefined {
  const match = /^nrf(52\d{3})/i.exec(name.trim());
  if (!match) return undefined;
  return NRF52_PARTS.find((p) => p.name === `nRF${match[1]}`);
}

/**
 * The revision an ordering code's build code names ("nRF52840-QIAA-F0" -> hardened), or
 * undefined without one. Hardened from: nRF52840 F0, nRF52833 B0, nRF52832 G0, nRF52820 D0,
 * nRF52811 B0, nRF52810 E0 (IN-141).
 */
export function revisionOfBuildCode(name: string): Nrf52Revision | undefined {
  const part = findNrf52Part(name);
  const match = /^nrf52\d{3}-[a-z]{4}-([a-z])\d$/i.exec(name.trim());
  if (!part || !match) return undefined;
  const hardenedFrom = part.variant.hardened.charAt(2);
  return (match[1] ?? '').toUpperCase() >= hardenedFrom ? 'hardened' : 'legacy';
}

/**
 * The part's NVMC figures in the timing model's form, for benchmarks (physicalFloor): the
 * same numbers the model charges, so a benchmark cannot disagree with the simulator.
 */
export function nrf52FlashTiming(part: Nrf52Part): FlashTiming {
  return {
    part: part.name,
    source: `${part.name} Product Specification, NVMC electrical specification (tWRITE, tERASEPAGE, tERASEALL; maximum figures)`,
    provenance: 'R',
    programUnits: [{ label: 'word', bytes: 4, us: part.writeWordUs }],
    eraseUnits: [{ bytes: NRF52_PAGE_BYTES, ms: part.erasePageMs }],
    massEraseMs: part.eraseAllMs,
    note: 'The PS gives maximum figures only; the model charges them.',
  };
}
