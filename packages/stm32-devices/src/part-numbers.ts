/**
 * Which DBGMCU DEV_ID a part number belongs to. Data: the product lines stlink's chip files
 * (config/chips/*.chip) and OpenOCD's STM32 flash drivers (src/flash/nor/stm32*.c) name for
 * each DEV_ID.
 * Each rule: the line (the 4 characters after "STM32"), optionally restricted to flash-size
 * codes and to the "A" suffix of STM32L1 -A parts (Cat.2, 0x429, versus Cat.1, 0x416).
 */
interface PartRule {
  readonly lines: readonly string[];
  readonly devId: number;
  /** Flash-size code letters this rule covers; all when absent. */
  readonly sizes?: string;
  /** STM32L1: true for the xxA parts, false for plain ones. */
  readonly aSuffix?: boolean;
}

const rules: readonly PartRule[] = [
  { lines: ['F030'], sizes: '46', devId: 0x444 },
  { lines: ['F030'], sizes: '8', devId: 0x440 },
  { lines: ['F030'], sizes: 'C', devId: 0x442 },
  { lines: ['F031', 'F038'], devId: 0x444 },
  { lines: ['F042', 'F048'], devId: 0x445 },
  { lines: ['F070'], sizes: '6', devId: 0x445 },
  { lines: ['F070'], sizes: 'B', devId: 0x448 },
  { lines: ['F051', 'F058'], devId: 0x440 },
  { lines: ['F071', 'F072', 'F078'], devId: 0x448 },
  { lines: ['F091', 'F098'], devId: 0x442 },
  { lines: ['F100'], sizes: '468B', devId: 0x420 },
  { lines: ['F100'], sizes: 'CDE', devId: 0x428 },
  { lines: ['F101', 'F102', 'F103'], sizes: '46', devId: 0x412 },
  { lines: ['F101', 'F102', 'F103'], sizes: '8B', devId: 0x410 },
  { lines: ['F101', 'F103'], sizes: 'CDE', devId: 0x414 },
  { lines: ['F101', 'F103'], sizes: 'FG', devId: 0x430 },
  { lines: ['F105', 'F107'], devId: 0x418 },
  { lines: ['F205', 'F207', 'F215', 'F217'], devId: 0x411 },
  { lines: ['F302', 'F303'], sizes: 'BC', devId: 0x422 },
  { lines: ['F358'], devId: 0x422 },
  { lines: ['F373', 'F378'], devId: 0x432 },
  { lines: ['F303'], sizes: '68', devId: 0x438 },
  { lines: ['F328', 'F334'], devId: 0x438 },
  { lines: ['F301', 'F302'], sizes: '68', devId: 0x439 },
  { lines: ['F318'], devId: 0x439 },
  { lines: ['F302', 'F303'], sizes: 'DE', devId: 0x446 },
  { lines: ['F398'], devId: 0x446 },
  { lines: ['F401'], sizes: 'BC', devId: 0x423 },
  { lines: ['F401'], sizes: 'DE', devId: 0x433 },
  { lines: ['F405', 'F407', 'F415', 'F417'], devId: 0x413 },
  { lines: ['F410'], devId: 0x458 },
  { lines: ['F411'], devId: 0x431 },
  { lines: ['F412'], devId: 0x441 },
  { lines: ['F413', 'F423'], devId: 0x463 },
  { lines: ['F427', 'F429', 'F437', 'F439'], devId: 0x419 },
  { lines: ['F446'], devId: 0x421 },
  { lines: ['F469', 'F479'], devId: 0x434 },
  { lines: ['F722', 'F723', 'F730', 'F732', 'F733'], devId: 0x452 },
  { lines: ['F745', 'F746', 'F750', 'F756'], devId: 0x449 },
  { lines: ['F765', 'F767', 'F768', 'F769', 'F777', 'F778', 'F779'], devId: 0x451 },
  { lines: ['L010', 'L011', 'L021'], sizes: '34', devId: 0x457 },
  { lines: ['L010', 'L031', 'L041'], sizes: '46', devId: 0x425 },
  { lines: ['L010', 'L051', 'L052', 'L053', 'L062', 'L063'], sizes: '68', devId: 0x417 },
  { lines: ['L010'], sizes: 'BZ', devId: 0x447 },
  // Cat.5 also comes with 64 KiB (L071C8, L072V8, L083V8: CMSIS-pack Keil.STM32L0xx_DFP).
  { lines: ['L071', 'L072', 'L073', 'L081', 'L082', 'L083'], sizes: '8BZ', devId: 0x447 },
  { lines: ['L100', 'L151', 'L152', 'L162'], sizes: '68B', aSuffix: false, devId: 0x416 },
  { lines: ['L100', 'L151', 'L152', 'L162'], sizes: '68B', aSuffix: true, devId: 0x429 },
  { lines: ['L100', 'L151', 'L152', 'L162'], sizes: 'C', devId: 0x427 },
  { lines: ['L151', 'L152', 'L162'], sizes: 'CD', devId: 0x436 },
  { lines: ['L151', 'L152', 'L162'], sizes: 'DE', devId: 0x437 },
  { lines: ['L412', 'L422'], devId: 0x464 },
  { lines: ['L431', 'L432', 'L433', 'L442', 'L443'], devId: 0x435 },
  { lines: ['L451', 'L452', 'L462'], devId: 0x462 },
  { lines: ['L471', 'L475', 'L476', 'L486'], devId: 0x415 },
  { lines: ['L496', 'L4A6'], devId: 0x461 },
  { lines: ['L4R5', 'L4R7', 'L4R9', 'L4S5', 'L4S7', 'L4S9'], devId: 0x470 },
  { lines: ['L4P5', 'L4Q5'], devId: 0x471 },
  { lines: ['L552', 'L562'], devId: 0x472 },
  { lines: ['G030', 'G031', 'G041'], devId: 0x466 },
  { lines: ['G050', 'G051', 'G061'], devId: 0x456 },
  { lines: ['G070', 'G071', 'G081'], devId: 0x460 },
  { lines: ['G0B0', 'G0B1', 'G0C1'], devId: 0x467 },
  { lines: ['G431', 'G441'], devId: 0x468 },
  { lines: ['G471', 'G473', 'G474', 'G483', 'G484'], devId: 0x469 },
  { lines: ['G491', 'G4A1'], devId: 0x479 },
  { lines: ['H742', 'H743', 'H745', 'H747', 'H750', 'H753', 'H755', 'H757'], devId: 0x450 },
  { lines: ['H723', 'H725', 'H730', 'H733', 'H735'], devId: 0x483 },
  { lines: ['H7A3', 'H7B0', 'H7B3'], devId: 0x480 },
  { lines: ['H7R3', 'H7R7', 'H7S3', 'H7S7'], devId: 0x485 },
  { lines: ['H562', 'H563', 'H573'], devId: 0x484 },
  // AN2606 "Bootloader identification" table: H503 0x474, H523/H533 0x478, H5Ex/H5Fx 0x47A.
  { lines: ['H503'], devId: 0x474 },
  { lines: ['H523', 'H533'], devId: 0x478 },
  { lines: ['H5E4', 'H5E5', 'H5F4', 'H5F5'], devId: 0x47a },
  { lines: ['WB55', 'WB5M', 'WB50'], devId: 0x495 },
  { lines: ['WB35', 'WB30'], devId: 0x496 },
  { lines: ['WB15', 'WB10', 'WB1M'], devId: 0x494 },
  { lines: ['WLE4', 'WLE5', 'WL54', 'WL55', 'WL5M'], devId: 0x497 },
  { lines: ['U535', 'U545'], devId: 0x455 },
  { lines: ['U575', 'U585'], devId: 0x482 },
  { lines: ['U595', 'U599', 'U5A5', 'U5A9'], devId: 0x481 },
  { lines: ['U5F7', 'U5F9', 'U5G7', 'U5G9'], devId: 0x476 },
  { lines: ['U031'], devId: 0x459 },
  { lines: ['U073', 'U083'], devId: 0x489 },
  { lines: ['U375', 'U385'], devId: 0x454 },
  { lines: ['U3B5', 'U3C5'], devId: 0x42a },
  { lines: ['C011'], devId: 0x443 },
  { lines: ['C031'], devId: 0x453 },
  { lines: ['C051'], devId: 0x44c },
  { lines: ['C071'], devId: 0x493 },
  { lines: ['C091', 'C092'], devId: 0x44d },
  // STM32WB0x and WL3x: the JTAG_ID part number (OpenOCD src/flash/nor/bluenrg-x.c), see
  // data/wb0.yaml.
  { lines: ['WB06', 'WB07'], devId: 0x201e },
  { lines: ['WB05'], devId: 0x2028 },
  { lines: ['WB09'], devId: 0x2032 },
  { lines: ['WL30', 'WL31', 'WL33'], devId: 0x2027 },
  // STM32G411xB/x8/x6 are the G431 die: ST's CMSIS stm32g411xb.h has the memory map of
  // stm32g431xx.h, and the CMSIS pack Keil.STM32G4xx_DFP programs them with the G43x/G44x
  // flash algorithms and describes them with STM32G431.svd. (No DEV_ID of STM32G411xC or G414
  // is published: not resolved.)
  { lines: ['G411'], sizes: '68B', devId: 0x468 },
  { lines: ['WBA5'], devId: 0x492 },
  { lines: ['WBA6'], devId: 0x4b0 },
  { lines: ['WBA2'], devId: 0x4b2 },
];

/** STM32 flash-size code letter (the character after the pin-count letter) to KiB. */
const flashCodeKiB: Readonly<Record<string, number>> = {
  '3': 8,
  '4': 16,
  '6': 32,
  '8': 64,
  B: 128,
  Z: 192,
  C: 256,
  D: 384,
  E: 512,
  F: 768,
  G: 1024,
  H: 1536,
  I: 2048,
  J: 4096,
  // STM32H5E4/H5E5 xK: 3 MiB (Keil.STM32H5xx_DFP memories).
  K: 3072,
};

/**
 * Lines whose size codes mean other sizes: on STM32WB1x C is 320 KiB and on STM32WB55 Y is
 * 640 KiB (ST's CMSIS-pack Keil.STM32WBxx_DFP: STM32WB15CCUx and STM32WB55VYYx memories;
 * RM0473 and RM0434 "Flash memory size data register").
 */
const lineFlashCodeKiB: Readonly<Record<string, Readonly<Record<string, number>>>> = {
  WB10: { C: 320 },
  WB15: { C: 320 },
  WB1M: { C: 320 },
  WB55: { Y: 640 },
};

export interface PartNumber {
  /** The name as given, upper-cased. */
  readonly name: string;
  /** e.g. "L151". */
  readonly line: string;
  /** Flash size from the part number, when the size code is given. */
  readonly flashKiB: number | undefined;
  /** DEV_IDs that a part of this name can report (usually one). */
  readonly devIds: readonly number[];
}

/**
 * Parses an STM32 part number such as "STM32L151CBxxA", "STM32F103RB" or "STM32F767BIT6".
 * Lower-case "x" is a wildcard (ST writes "xx" for package and temperature range). Returns
 * undefined when the name is not an STM32 part number at all.
 */
export function parsePartNumber(name: string): PartNumber | undefined {
  const upper = name.trim().toUpperCase();
  if (!/^STM32[A-Z]/.test(upper)) return undefined;
  // The line is four characters ("L151", "G0B1"), five for WBA ("WBA55", keyed as "WBA5");
  // then one letter for the pin count and one for the flash size.
  const body = upper.slice(5);
  const lineLength = body.startsWith('WBA') ? 5 : 4;
  const line = body.slice(0, 4);
  const sizeCode = body[lineLength + 1];
  const rest = body.slice(lineLength + 2);
  const size = sizeCode !== undefined && sizeCode !== 'X' ? sizeCode : undefined;
  const aSuffix = line.startsWith('L1') ? rest.endsWith('A') : undefined;
  const devIds = rules
    .filter((r) => r.lines.includes(line))
    .filter((r) => size === undefined || r.sizes === undefined || r.sizes.includes(size))
    .filter((r) => r.aSuffix === undefined || aSuffix === undefined || r.aSuffix === aSuffix)
    .map((r) => r.devId);
  return {
    name: upper,
    line,
    flashKiB:
      size === undefined ? undefined : (lineFlashCodeKiB[line]?.[size] ?? flashCodeKiB[size]),
    devIds: [...new Set(devIds)],
  };
}
