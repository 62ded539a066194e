/**
 * Why a target is missed, as far as a profile shows: written by hand, printed under "Missed
 * targets" in docs/benchmarks.md when that target is missed in a run. Say when it is a guess.
 */
import type { TargetId } from './report.ts';

export const diagnoses: Partial<Record<TargetId, string>> = {};
