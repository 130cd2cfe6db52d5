/**
 * The API the preload exposes as `window.probebookBridge`. The types live in
 * core/common/bridge.ts so the page can import them without importing electron/; this module
 * re-exports them for the Electron side, so there is one definition.
 */
export { BRIDGE_VERSION, isBridgePortMessage, type ProbebookBridge } from '../../core/common/bridge.ts';

/** The global name the bridge is exposed under. */
export const BRIDGE_GLOBAL = 'probebookBridge';
