export * from './spectrum.js';
export * from './retention.js';
export * from './project.js';
export * from './layerReport.js';
