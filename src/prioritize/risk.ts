// src/prioritize/risk.ts — transparent risk scoring: severity × confidence × exposure × novelty, each factor kept.
import type { Confidence, Exposure, FindingStatus, RiskFactors, Severity } from '../core/index.js';

export const SEVERITY_WEIGHT: Record<Severity, number> = { critical: 1, high: 0.8, medium: 0.5, low: 0.25, info: 0.05 };
export const CONFIDENCE_WEIGHT: Record<Confidence, number> = { confirmed: 1, tentative: 0.5 };
export const EXPOSURE_WEIGHT: Record<Exposure, number> = { anonymous: 1, authenticated: 0.8, privileged: 0.5 };
/** No baseline: 0.85, between new and persisting. Not re-tested: as persisting (nothing says it is gone). */
export const NOVELTY_WEIGHT: Record<FindingStatus | 'none', number> = { new: 1, persisting: 0.7, fixed: 0, 'not-retested': 0.7, none: 0.85 };

export function riskFactors(severity: Severity, confidence: Confidence, exposure: Exposure, status: FindingStatus | undefined): RiskFactors {
  return {
    severity: SEVERITY_WEIGHT[severity],
    confidence: CONFIDENCE_WEIGHT[confidence],
    exposure: EXPOSURE_WEIGHT[exposure],
    novelty: NOVELTY_WEIGHT[status ?? 'none'],
  };
}

/** 0–100, rounded. */
export function riskScore(f: RiskFactors): number {
  return Math.round(100 * f.severity * f.confidence * f.exposure * f.novelty);
}
