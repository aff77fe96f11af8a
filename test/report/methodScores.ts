import type { ReportMethodScores } from '../../src/report/types.js';

/** A method's scores in the report: every metric missing, one fit of 0 s, except those given. */
export const scores = (m: Partial<ReportMethodScores>): ReportMethodScores => ({
  rmse: null,
  f1: null,
  precision: null,
  recall: null,
  auc: null,
  seconds: 0,
  fits: 1,
  ...m,
});
