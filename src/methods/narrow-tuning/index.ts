export * from './compareRecipes.js';
export * from './learningForgetting.js';
export * from './tokenBias.js';
export * from './paramFraction.js';
export * from './recipeTable.js';
