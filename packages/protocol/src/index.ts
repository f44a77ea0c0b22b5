export * from './agent-frames.js';
