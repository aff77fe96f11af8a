export * from './ForgettingMatrix.js';
