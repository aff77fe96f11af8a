/**
 * The audit report: staged assembly (structure, evaluation, curve, replay), one HTML function per
 * section, and `runReport` over a typed `ReportPlan`. Above viz (chart specs, renderer) and replay,
 * below the CLI.
 */
export * from './types.js';
export * from './html.js';
export * from './buildReport.js';
export { REPORT_CSS } from './styles.js';
export * from './assemble.js';
export * from './run.js';
export * from './summary.js';
export * from './narrative.js';
