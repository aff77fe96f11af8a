/** The self-contained HTML audit report. */
export * from './types.js';
export * from './html.js';
export * from './buildReport.js';
export { REPORT_CSS } from './styles.js';
export * from './assemble.js';
