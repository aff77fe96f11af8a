export {};
export * from './safetensors.js';
