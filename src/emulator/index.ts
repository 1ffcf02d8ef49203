export { DEMO_APP, SCOPES, TEST_USERS, type TestUser } from './catalog.ts';
export {
  createEmulator,
  DROP_CONNECTION,
  type Emulator,
  type EmulatorOptions,
} from './create-emulator.ts';
export type { RegisteredApp } from './emulator-context.ts';
export { type RunningEmulator, startEmulatorServer } from './node-server.ts';
export { EMULATED_PROVIDERS } from './profiles/index.ts';
