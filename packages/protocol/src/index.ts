export * from './agent-frames.js';
export * from './command-frames.js';
export * from './agent-releases.js';
