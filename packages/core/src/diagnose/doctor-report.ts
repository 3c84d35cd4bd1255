import { catalogue } from '../errors/catalogue.js';
import type { MessageEvent } from '../events/events.js';
import {
  doctorCheckIds,
  doctorCheckTitles,
  type Diagnosis,
  type DoctorCheckId,
  type Verdict,
} from './diagnosis.js';

/** One finished check, as `doctor` emits it (an NDJSON line with --json). */
export interface DoctorCheckEvent {
  readonly type: 'check';
  readonly index: number;
  readonly count: number;
  readonly id: DoctorCheckId;
  readonly title: string;
  readonly verdict: Verdict;
  readonly message: string;
  readonly code?: string | undefined;
  /** The exit code a failure of this check means (from the catalogue). */
  readonly exitCode?: number | undefined;
  readonly hint?: string | undefined;
  readonly details?: Readonly<Record<string, unknown>> | undefined;
}

export type DoctorEvent = DoctorCheckEvent | MessageEvent;

export interface DoctorReport {
  readonly checks: readonly DoctorCheckEvent[];
  readonly counts: Readonly<Record<Verdict, number>>;
  /** The first failing check, whose catalogue entry sets doctor's exit code. */
  readonly firstFailure?: Diagnosis | undefined;
}

export function checkEvent(diagnosis: Diagnosis): DoctorCheckEvent {
  const index = doctorCheckIds.indexOf(diagnosis.check);
  return {
    type: 'check',
    index,
    count: doctorCheckIds.length,
    id: diagnosis.check,
    title: doctorCheckTitles[diagnosis.check],
    verdict: diagnosis.verdict,
    message: diagnosis.message,
    code: diagnosis.code,
    exitCode: diagnosis.code === undefined ? undefined : catalogue[diagnosis.code].exitCode,
    hint: diagnosis.hint,
    details: diagnosis.details,
  };
}

/**
 * Collects diagnoses as they arrive and emits them in check order: a check that is decided
 * late (the voltage verdict waits for the SWD attempt) holds back the ones after it.
 */
export class DoctorLedger {
  readonly #results = new Map<DoctorCheckId, Diagnosis>();
  readonly #emit: (event: DoctorCheckEvent) => void;
  #next = 0;

  constructor(emit: (event: DoctorCheckEvent) => void) {
    this.#emit = emit;
  }

  has(check: DoctorCheckId): boolean {
    return this.#results.has(check);
  }

  get(check: DoctorCheckId): Diagnosis | undefined {
    return this.#results.get(check);
  }

  record(diagnosis: Diagnosis): void {
    if (!this.#results.has(diagnosis.check)) this.#results.set(diagnosis.check, diagnosis);
    this.#flush();
  }

  /** Records `message` as skipped for every check not decided yet (and emits everything). */
  skipRest(message: string): void {
    for (const check of doctorCheckIds) {
      if (!this.#results.has(check))
        this.#results.set(check, { check, verdict: 'skipped', message });
    }
    this.#flush();
  }

  report(): DoctorReport {
    const diagnoses = doctorCheckIds
      .map((id) => this.#results.get(id))
      .filter((d): d is Diagnosis => d !== undefined);
    const counts: Record<Verdict, number> = { ok: 0, warn: 0, fail: 0, skipped: 0 };
    for (const d of diagnoses) counts[d.verdict]++;
    return {
      checks: diagnoses.map(checkEvent),
      counts,
      firstFailure: diagnoses.find((d) => d.verdict === 'fail'),
    };
  }

  #flush(): void {
    for (;;) {
      const id = doctorCheckIds[this.#next];
      const diagnosis = id === undefined ? undefined : this.#results.get(id);
      if (diagnosis === undefined) return;
      this.#emit(checkEvent(diagnosis));
      this.#next++;
    }
  }
}
