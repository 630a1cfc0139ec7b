// Runs once around the whole integration suite: services that test files started through
// test/support are stopped here, so each is started once per run and reused between files.
import { stopStartedServices } from './services.mts';
import { createRunStack, stopRunStack } from './stack-state.mts';

export async function globalSetup(): Promise<void> {
  await createRunStack();
}

export async function globalTeardown(): Promise<void> {
  await Promise.allSettled([stopStartedServices(), stopRunStack()]);
}
