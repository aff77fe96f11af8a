/** Node-only parts of the viz layer (PNG rasterising). */
export * from './png.js';
