import { ExitCode } from './exit-codes.js';

/**
 * The error catalogue: every failure flashwright knows, its exit code and the default
 * advice. `doctor` and the pipeline share these entries so a failure reads the same
 * wherever it is met. A throw site may override the hint with something more specific.
 */
export interface CatalogueEntry {
  readonly exitCode: ExitCode;
  /** Short title, used by `doctor` and in summaries. */
  readonly title: string;
  /** What to do next, when the throw site has nothing more specific to say. */
  readonly hint?: string;
}

function entry(exitCode: ExitCode, title: string, hint?: string): CatalogueEntry {
  return hint === undefined ? { exitCode, title } : { exitCode, title, hint };
}

export const catalogue = {
  // 1: bugs
  INTERNAL: entry(
    ExitCode.internal,
    'Internal error',
    'This is a bug in flashwright. Re-run with -v and report the output.',
  ),

  // 2: usage and recipe
  USAGE: entry(ExitCode.usage, 'Invalid command line', 'Run `flashwright help <command>`.'),
  RECIPE_NOT_FOUND: entry(
    ExitCode.usage,
    'No recipe found',
    'Create flashwright.config.yaml in your project, or pass one with -c FILE.',
  ),
  RECIPE_PARSE: entry(ExitCode.usage, 'Recipe cannot be parsed'),
  RECIPE_INVALID: entry(ExitCode.usage, 'Recipe is invalid'),
  PLUGIN_NOT_INSTALLED: entry(ExitCode.usage, 'Plugin is not installed'),
  PLUGIN_UNKNOWN: entry(ExitCode.usage, 'No such flashwright plugin'),
  PLUGIN_API_MISMATCH: entry(
    ExitCode.usage,
    'Plugin was built for another plugin API',
    'Install a version of the plugin that matches this flashwright.',
  ),
  PLUGIN_INVALID: entry(ExitCode.usage, 'Plugin does not export a valid plugin factory'),
  COMMAND_UNAVAILABLE: entry(ExitCode.usage, 'Command is not available yet'),
  SERIAL_UNKNOWN: entry(
    ExitCode.usage,
    'No such serial in the production database',
    'Run `flashwright log serials` to list the serials handed out.',
  ),

  // 3: input files (and the files flashwright writes)
  IMAGE_NOT_FOUND: entry(ExitCode.input, 'Image file not found'),
  IMAGE_FORMAT_UNKNOWN: entry(
    ExitCode.input,
    'Image format not recognised',
    'Set image.format in the recipe (ihex, srec, elf or bin).',
  ),
  IMAGE_MALFORMED: entry(ExitCode.input, 'Image file is malformed'),
  IMAGE_CHECKSUM: entry(ExitCode.input, 'Image record checksum mismatch'),
  IMAGE_TRUNCATED: entry(ExitCode.input, 'Image file is truncated'),
  IMAGE_OVERLAP: entry(ExitCode.input, 'Image data overlaps'),
  IMAGE_OUTSIDE_FLASH: entry(ExitCode.input, 'Image data lies outside the flash'),
  IMAGE_BASE_REQUIRED: entry(
    ExitCode.input,
    'Raw binary needs a base address',
    'Give the load address: in a recipe, image: { file: app.bin, base: 0x08000000 }; on the command line, `flashwright flash app.bin --base 0x08000000` (convert takes --base too).',
  ),
  IMAGE_UNSUPPORTED: entry(ExitCode.input, 'Image file is of an unsupported kind'),
  FILE_NOT_REGULAR: entry(
    ExitCode.input,
    'Path is not a file',
    'Name a regular file, not a directory or a device.',
  ),
  FILE_UNREADABLE: entry(
    ExitCode.input,
    'Input file cannot be read',
    'Check the file permissions.',
  ),
  FILE_TOO_LARGE: entry(
    ExitCode.input,
    'Input file is too large',
    'Check the path: a firmware image is far smaller.',
  ),
  SERIALS_EXHAUSTED: entry(
    ExitCode.input,
    'No serial number left',
    'Add rows to the serial CSV (production.serial.csv), or point it at a new file.',
  ),
  BOARD_DATA_INVALID: entry(
    ExitCode.input,
    'Per-board data cannot be written',
    'Check the CSV value against production.serial / production.data (encoding, length).',
  ),
  FILE_UNWRITABLE: entry(
    ExitCode.input,
    'Output file cannot be written',
    'Check that the directory exists and that you can write to it.',
  ),
  // The production database (an SQLite file or a PostgreSQL server) is the run's record.
  DATABASE_UNAVAILABLE: entry(
    ExitCode.input,
    'Production database cannot be opened',
    'Check production.database in the recipe or --database: an SQLite file in a directory you can write to, or a postgres:// URL of a running server with the right user and password.',
  ),
  DATABASE_TOO_NEW: entry(
    ExitCode.input,
    'Production database was written by a newer flashwright',
    'Upgrade flashwright on this station to the version the other stations use.',
  ),

  // 4: probe
  PROBE_NOT_FOUND: entry(
    ExitCode.probe,
    'No probe found',
    'Check the USB cable and run `flashwright probes` to see what is connected.',
  ),
  PROBE_AMBIGUOUS: entry(
    ExitCode.probe,
    'Several probes match',
    'Pick one with --probe TRANSPORT:SERIAL, or probe.serial in the recipe.',
  ),
  PROBE_ACCESS_DENIED: entry(ExitCode.probe, 'Probe cannot be opened (permission denied)'),
  PROBE_NO_USB: entry(
    ExitCode.probe,
    'This machine has no USB subsystem',
    'Run on a machine with USB access, or use `--probe virtual` to rehearse on virtual hardware.',
  ),
  PROBE_USB_ERROR: entry(ExitCode.probe, 'USB transfer failed'),
  PROBE_TIMEOUT: entry(
    ExitCode.probe,
    'Probe did not answer in time',
    'Unplug and replug the probe, then try again.',
  ),
  PROBE_DISCONNECTED: entry(
    ExitCode.probe,
    'Probe disconnected',
    'Reconnect the probe and run the same command again; flashwright resumes safely.',
  ),
  PROBE_FIRMWARE_TOO_OLD: entry(
    ExitCode.probe,
    'Probe firmware is too old for this feature',
    'Update the probe firmware with ST’s STLinkUpgrade (or STM32CubeProgrammer).',
  ),
  PROBE_PROTOCOL_ERROR: entry(ExitCode.probe, 'Probe answered something unexpected'),

  // 5: target
  TARGET_NO_RESPONSE: entry(
    ExitCode.target,
    'Target does not respond on SWD',
    'Check power and wiring, lower probe.speed, or try probe.connect: under-reset (hold BOOT0 high if the firmware disables SWD).',
  ),
  TARGET_UNKNOWN_DEVICE: entry(ExitCode.target, 'Unknown device'),
  TARGET_DEVICE_MISMATCH: entry(ExitCode.target, 'Connected device is not the one in the recipe'),
  TARGET_FAULT: entry(ExitCode.target, 'Memory access faulted'),
  TARGET_VOLTAGE_LOW: entry(
    ExitCode.target,
    'Target voltage missing or too low',
    'Power the board and connect its VDD to the probe’s VREF/VAPP pin.',
  ),
  TARGET_NOT_HALTED: entry(ExitCode.target, 'Core did not halt'),

  // 6: refused
  TARGET_PROTECTED: entry(
    ExitCode.refused,
    'Flash is read-protected (RDP level 1)',
    'Add `- unprotect: { confirm: mass-erase }` before erase in the recipe steps (or `- unprotect` and run with --yes; --yes alone removes no protection). This erases the whole flash.',
  ),
  TARGET_RDP2: entry(
    ExitCode.refused,
    'Chip is permanently protected (RDP level 2)',
    'Level 2 cannot be undone: debug access is disabled for good. Replace the chip.',
  ),
  CONFIRMATION_REQUIRED: entry(
    ExitCode.refused,
    'Destructive action needs confirmation',
    'Confirm it in the recipe step, or pass --yes.',
  ),
  WRITE_PROTECTED: entry(
    ExitCode.refused,
    'Flash pages are write-protected',
    'Clear the write protection with the option-bytes step (the chip’s write-protection fields), then run again.',
  ),

  // 7: flash
  FLASH_LOCKED: entry(
    ExitCode.flash,
    'Flash controller stays locked',
    'A wrong unlock key locks the controller until reset. Reset the target and try again.',
  ),
  FLASH_ERASE_FAILED: entry(ExitCode.flash, 'Erase failed'),
  FLASH_PROGRAM_FAILED: entry(ExitCode.flash, 'Programming failed'),
  FLASH_TIMEOUT: entry(ExitCode.flash, 'Flash operation did not finish in time'),
  FLASH_LOADER_FAILED: entry(
    ExitCode.flash,
    'RAM flash loader failed',
    'Set flash.loader: auto in the recipe to fall back to programming from the host.',
  ),
  FLASH_OPTION_BYTES_FAILED: entry(ExitCode.flash, 'Option-byte write failed'),
  FLASH_INTERRUPTED: entry(
    ExitCode.flash,
    'Flash operation interrupted',
    'Run the same recipe again: it erases and rewrites what is unknown.',
  ),

  // 8: verify
  VERIFY_MISMATCH: entry(
    ExitCode.verify,
    'Flash contents differ from the image',
    'Erase and write again; if it persists, check the supply voltage and write protection.',
  ),

  // 130
  INTERRUPTED: entry(
    ExitCode.interrupted,
    'Interrupted',
    'Run the same recipe again to finish the job.',
  ),
} as const satisfies Record<string, CatalogueEntry>;

export type ErrorCode = keyof typeof catalogue;
