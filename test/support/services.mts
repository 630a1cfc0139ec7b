// Placeholder registry of services started during a run; each service module adds its stop here.
const stops: (() => Promise<void>)[] = [];

export function onTeardown(stop: () => Promise<void>): void {
  stops.push(stop);
}

export async function stopStartedServices(): Promise<void> {
  await Promise.allSettled(stops.map((stop) => stop()));
}
