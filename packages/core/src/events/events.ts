import type { FlashProgress, FlashSize, ProbeInfo, ProbeWarning } from '../plugin/types.js';
import type { FlashJournalReport } from '../flash/journal.js';

/**
 * What the pipeline tells the outside world while it works. Core emits these typed events;
 * the CLI turns them into listr2 tasks, plain lines or NDJSON. Nothing in core prints.
 */
export type PipelineEvent =
  | PlanEvent
  | StepStartEvent
  | ProgressEvent
  | StepEndEvent
  | ProbeEvent
  | DeviceEvent
  | MessageEvent;

/** One step of the plan: what it would do, in lines for humans. */
export interface PlannedStep {
  readonly index: number;
  readonly id: string;
  readonly title: string;
  readonly lines: readonly string[];
  /** Bytes this step moves (erase/write/verify/read), for progress totals. */
  readonly bytes?: number | undefined;
  /** Destroys data; runs only when confirmed. */
  readonly destructive: boolean;
  /** Whether the recipe or --yes confirmed it (destructive steps only). */
  readonly confirmed?: boolean | undefined;
}

export interface PlanEvent {
  readonly type: 'plan';
  readonly dryRun: boolean;
  /** Where the flash layout came from: the chip, the family's database, or nowhere. */
  readonly layout: 'device' | 'database' | 'none';
  readonly deviceName?: string | undefined;
  readonly steps: readonly PlannedStep[];
  readonly image?: ImageSummary | undefined;
  readonly notes: readonly string[];
}

export interface ImageSummary {
  readonly files: readonly string[];
  readonly bytes: number;
  readonly ranges: readonly { readonly start: number; readonly end: number }[];
  readonly crc32: number;
}

export interface StepStartEvent {
  readonly type: 'step-start';
  readonly index: number;
  /** How many steps the run has. */
  readonly count: number;
  readonly id: string;
  readonly title: string;
}

export interface ProgressEvent {
  readonly type: 'progress';
  readonly index: number;
  readonly id: string;
  readonly operation: FlashProgress['operation'];
  readonly doneBytes: number;
  readonly totalBytes: number;
}

export interface StepEndEvent {
  readonly type: 'step-end';
  readonly index: number;
  readonly id: string;
  readonly status: 'done' | 'skipped' | 'failed';
  readonly durationMs: number;
  /** One line: what was done, or why it was skipped. */
  readonly summary: string;
  readonly bytes?: number | undefined;
  /** Counts the step reports, e.g. { erasedSectors: 1, unchangedSectors: 63 }. */
  readonly counts?: Readonly<Record<string, number>> | undefined;
  /** Simulated time, when the probe is virtual. */
  readonly virtualMs?: number | undefined;
}

export interface ProbeEvent {
  readonly type: 'probe';
  readonly info: ProbeInfo;
  readonly warnings: readonly ProbeWarning[];
}

export interface DeviceEvent {
  readonly type: 'device';
  readonly family: string;
  readonly name: string;
  readonly flashSize: FlashSize;
  readonly ids?: Readonly<Record<string, string>> | undefined;
  readonly facts: Readonly<Record<string, string | number | boolean>>;
  readonly notes: readonly string[];
  readonly flash: readonly {
    readonly name: string;
    readonly start: number;
    readonly end: number;
    readonly sectors: number;
  }[];
}

export interface MessageEvent {
  readonly type: 'warning' | 'info';
  readonly message: string;
  /** The step it concerns, if any. */
  readonly index?: number | undefined;
}

/** Receives pipeline events. Must not throw. */
export type EventSink = (event: PipelineEvent) => void;

/** The journal as numbers and lines, for error details and output. */
export interface JournalSummary extends FlashJournalReport {
  readonly lines: readonly string[];
}
