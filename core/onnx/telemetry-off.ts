/**
 * Turns off onnxruntime's usage telemetry before the native library loads.
 * Official onnxruntime builds from 1.31 on report process, model and session
 * events to Microsoft from Linux and macOS too, and keep a device id under
 * ~/.cache/Microsoft. Models scored here may be trained on credit or health
 * data, so Fullcycle opts out. The library reads ORT_DISABLE_TELEMETRY once at start, so this module
 * must be imported before onnxruntime-node. Operators who want the telemetry
 * set ORT_DISABLE_TELEMETRY=0 themselves.
 */
process.env['ORT_DISABLE_TELEMETRY'] ??= '1';

export {};
