/**
 * Plots: Vega-Lite spec builders over plain data (typed arrays + ids) and a headless SVG renderer
 * (the audit report built from them lives in report/).
 * PNG output is Node-only (`forgetscope/node`).
 */
export * from './spec.js';
export * from './binning.js';
export * from './heatmap.js';
export * from './scree.js';
export * from './sources.js';
export * from './predicted.js';
export * from './rmseCurve.js';
export * from './replay.js';
export * from './render.js';
