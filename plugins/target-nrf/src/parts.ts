/**
 * The nRF52 parts this family knows, from each part's Product Specification (PS): nRF52840
 * PS v1.7, nRF52833 PS v1.6, nRF52832 PS v1.8, nRF52820 PS v1.4, nRF52811 PS v1.0, nRF52810
 * PS v1.3 (chapters "Memory", "FICR", "UICR", "NVMC" and its electrical specification).
 */

export interface NrfPart {
  readonly name: string;
  /** FICR INFO.PART. */
  readonly part: number;
  /** Largest code flash of the part's variants (FICR INFO.FLASH gives the chip's). */
  readonly maxFlashKiB: number;
  readonly maxRamKiB: number;
  /** UICR.REGOUT0 (nRF52833, nRF52840 only: the REG0 stage from VDDH). */
  readonly regout0: boolean;
  /** UICR.NFCPINS (not on nRF52810/811/820, which have no NFCT). */
  readonly nfcPins: boolean;
  /** The dedicated pin-reset GPIO that PSELRESET[n] must name (PS "UICR", PSELRESET). */
  readonly resetPin: number;
  /** Maximum tWRITE per 32-bit word, tERASEPAGE, tERASEALL (PS, NVMC electrical specification). */
  readonly writeWordUs: number;
  readonly erasePageMs: number;
  readonly eraseAllMs: number;
  /**
   * FICR 0x10000130 (part code) of this part and the first revision code (FICR 0x10000134)
   * with the hardened APPROTECT: Nordic MDK nrf52_erratas.h `nrf52_configuration_249`
   * (matching IN-141's build codes: nRF52840 F0, nRF52833 B0, nRF52832 G0, nRF52820 D0,
   * nRF52811 B0, nRF52810 E0).
   */
  readonly hwPart: number;
  readonly hardenedFromRevision: number;
  /** The build code that starts the hardened APPROTECT (IN-141), for messages. */
  readonly hardenedBuildCode: string;
}

export const NRF_PARTS: readonly NrfPart[] = [
  {
    name: 'nRF52840',
    part: 0x52840,
    maxFlashKiB: 1024,
    maxRamKiB: 256,
    regout0: true,
    nfcPins: true,
    resetPin: 18,
    writeWordUs: 41,
    erasePageMs: 85,
    eraseAllMs: 169,
    hwPart: 0x08,
    hardenedFromRevision: 0x05,
    hardenedBuildCode: 'F0',
  },
  {
    name: 'nRF52833',
    part: 0x52833,
    maxFlashKiB: 512,
    maxRamKiB: 128,
    regout0: true,
    nfcPins: true,
    resetPin: 18,
    writeWordUs: 41,
    erasePageMs: 85,
    eraseAllMs: 169,
    hwPart: 0x0d,
    hardenedFromRevision: 0x02,
    hardenedBuildCode: 'B0',
  },
  {
    name: 'nRF52832',
    part: 0x52832,
    maxFlashKiB: 512,
    maxRamKiB: 64,
    regout0: false,
    nfcPins: true,
    resetPin: 21,
    writeWordUs: 67.5,
    erasePageMs: 89.7,
    eraseAllMs: 173,
    hwPart: 0x06,
    hardenedFromRevision: 0x07,
    hardenedBuildCode: 'G0',
  },
  {
    name: 'nRF52820',
    part: 0x52820,
    maxFlashKiB: 256,
    maxRamKiB: 32,
    regout0: false,
    nfcPins: false,
    resetPin: 18,
    writeWordUs: 41,
    erasePageMs: 85,
    eraseAllMs: 169,
    hwPart: 0x10,
    hardenedFromRevision: 0x03,
    hardenedBuildCode: 'D0',
  },
  {
    name: 'nRF52811',
    part: 0x52811,
    maxFlashKiB: 192,
    maxRamKiB: 24,
    regout0: false,
    nfcPins: false,
    resetPin: 21,
    writeWordUs: 41,
    erasePageMs: 85,
    eraseAllMs: 169,
    hwPart: 0x0e,
    hardenedFromRevision: 0x01,
    hardenedBuildCode: 'B0',
  },
  {
    name: 'nRF52810',
    part: 0x52810,
    maxFlashKiB: 192,
    maxRamKiB: 24,
    regout0: false,
    nfcPins: false,
    resetPin: 21,
    writeWordUs: 41,
    erasePageMs: 85,
    eraseAllMs: 169,
    hwPart: 0x0a,
    hardenedFromRevision: 0x02,
    hardenedBuildCode: 'E0',
  },
];

/** Every nRF52 flash page is 4 KB (FICR CODEPAGESIZE). */
export const NRF_PAGE_BYTES = 4096;
export const RAM_BASE = 0x20000000;

export function partByNumber(part: number): NrfPart | undefined {
  return NRF_PARTS.find((p) => p.part === part);
}

/** "nRF52840", "NRF52840_XXAA", "nRF52840-QIAA-F0": the part; undefined for other names. */
export function partByName(name: string): NrfPart | undefined {
  const match = /^nrf(52\d{3})/i.exec(name.trim());
  return match ? NRF_PARTS.find((p) => p.name === `nRF${match[1]}`) : undefined;
}

/** The build code of an ordering code ("nRF52840-QIAA-F0" -> "F0"), if it has one. */
export function buildCodeOf(name: string): string | undefined {
  return /^nrf52\d{3}-[a-z0-9]{4}-([a-z]\d)$/i.exec(name.trim())?.[1]?.toUpperCase();
}
