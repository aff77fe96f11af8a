export * from './active.js';
