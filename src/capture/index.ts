// What receivers import: the `capture` option's schema and the hook.
export { CaptureSchema, type CaptureConfig } from './config.js';
export { Capture, createCapture, type CaptureInput, type MetadataLike } from './capture.js';
export type { CaptureProtocol, CaptureSignal } from './format.js';
