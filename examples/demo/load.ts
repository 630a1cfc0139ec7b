/**
 * Load for the demo: a mix of routes from a few concurrent clients, a share of it coloured as
 * shadow traffic (x-vigil-traffic: shadow), so live and shadow series both move.
 * TARGET (default http://127.0.0.1:8080), DURATION_S (0 = until stopped), SHADOW_SHARE (0.2),
 * CONCURRENCY (4), RATE per client per second (20).
 */
const target = process.env.TARGET ?? 'http://127.0.0.1:8080';
const durationS = Number(process.env.DURATION_S ?? 0);
const shadowShare = Number(process.env.SHADOW_SHARE ?? 0.2);
const concurrency = Number(process.env.CONCURRENCY ?? 4);
const ratePerClient = Number(process.env.RATE ?? 20);

const ROUTES: readonly [path: string, weight: number][] = [
  ['/fast', 50],
  ['/songs/{id}', 25],
  ['/slow', 8],
  ['/upstream', 8],
  ['/fail', 5],
  ['/cpu', 2],
  ['/missing/{id}', 2],
];
const totalWeight = ROUTES.reduce((sum, [, weight]) => sum + weight, 0);

function pickPath(): string {
  let roll = Math.random() * totalWeight;
  for (const [path, weight] of ROUTES) {
    roll -= weight;
    if (roll < 0) return path.replace('{id}', String(Math.floor(Math.random() * 1000)));
  }
  return '/fast';
}

const counts = { sent: 0, shadow: 0, failed: 0 };
let running = true;

async function client(): Promise<void> {
  const pause = 1000 / ratePerClient;
  while (running) {
    const shadow = Math.random() < shadowShare;
    try {
      const response = await fetch(`${target}${pickPath()}`, { headers: shadow ? { 'x-vigil-traffic': 'shadow' } : {} });
      await response.arrayBuffer();
    } catch {
      counts.failed++;
    }
    counts.sent++;
    if (shadow) counts.shadow++;
    await new Promise((resolve) => setTimeout(resolve, pause));
  }
}

const stop = () => {
  running = false;
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
if (durationS > 0) setTimeout(stop, durationS * 1000);

console.log(`load: ${concurrency} clients at ${ratePerClient}/s each against ${target}, ${shadowShare * 100}% shadow`);
void Promise.all(Array.from({ length: concurrency }, client)).then(() => {
  console.log(`load: sent ${counts.sent} requests (${counts.shadow} shadow, ${counts.failed} failed to connect)`);
});
