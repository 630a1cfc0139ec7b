// Runs once around the whole integration suite: services that test files started through
// test/support are stopped here, so each is started once per run and reused between files.
import { stopStartedServices } from './services.mts';

export async function globalTeardown(): Promise<void> {
  await stopStartedServices();
}
