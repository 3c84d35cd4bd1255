import { builtinStepIds, type BuiltinStepId } from '../../config/steps-schema.js';
import type { StepDefinition } from '../../plugin/types.js';
import { connectStep } from './connect.js';
import { eraseStep } from './erase.js';
import { optionBytesStep } from './option-bytes.js';
import { readStep } from './read.js';
import { resetStep } from './reset.js';
import { unprotectStep } from './unprotect.js';
import { verifyStep } from './verify.js';
import { writeStep } from './write.js';

/**
 * The built-in steps, defined as plugin steps are (semantic-release drives its lifecycle
 * the same way, from one table: lib/definitions/plugins.js). Each definition declares the
 * run state it `reads` and `writes`; a step changes it only through its outcome.
 */
export const builtinSteps = {
  connect: connectStep,
  unprotect: unprotectStep,
  erase: eraseStep,
  write: writeStep,
  verify: verifyStep,
  'option-bytes': optionBytesStep,
  reset: resetStep,
  read: readStep,
} as const satisfies Record<BuiltinStepId, StepDefinition>;

export function isBuiltinStep(id: string): id is BuiltinStepId {
  return (builtinStepIds as readonly string[]).includes(id);
}
