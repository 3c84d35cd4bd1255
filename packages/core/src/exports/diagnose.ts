// `@flashwright/core/diagnose`: `flashwright doctor` and the explanations it shares with
// the pipeline.
export {
  doctorCheckIds,
  doctorCheckTitles,
  diagnosisError,
  type Diagnosis,
  type DoctorCheckId,
  type Verdict,
} from '../diagnose/diagnosis.js';
export { runDoctor, type DoctorOptions } from '../diagnose/doctor.js';
export { ramCodeRuns } from '../diagnose/ram-code-check.js';
export type { DoctorCheckEvent, DoctorEvent, DoctorReport } from '../diagnose/doctor-report.js';
export { MIN_TARGET_VOLTAGE_V } from '../diagnose/probe-checks.js';
export { optionHazards, type ExplainedHazard } from '../diagnose/option-byte-checks.js';
export { recoveryAdvice } from '../diagnose/recovery.js';
