/**
 * The demo service: one route per kind of behaviour a dashboard should show. It has no agent code;
 * start it with `node --import vigil/register` (as `npm run demo` does) to see the one-line set-up.
 */
import Fastify from 'fastify';

const port = Number(process.env.PORT ?? 8080);
const upstream = process.env.UPSTREAM_URL ?? `http://127.0.0.1:${port}/songs/1`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Deliberately CPU-bound, so a profile of the /cpu route has one obvious hot function. */
export function burnCpu(rounds: number): number {
  let hash = 0;
  for (let i = 0; i < rounds; i++) hash = (Math.imul(hash, 31) + Math.sqrt(i) * 1000) | 0;
  return hash;
}

const app = Fastify();
app.get('/fast', async () => ({ ok: true }));
app.get('/slow', async () => {
  await sleep(200 + Math.random() * 200);
  return { ok: true, slow: true };
});
app.get('/fail', async () => {
  throw new Error('the failing route failed, as it always does');
});
app.get('/cpu', async () => ({ hash: burnCpu(2_000_000) }));
app.get<{ Params: { id: string } }>('/songs/:id', async (request) => ({ id: request.params.id, title: `Song ${request.params.id}` }));
app.get('/upstream', async (_request, reply) => {
  const response = await fetch(upstream);
  reply.code(response.ok ? 200 : 502);
  return { upstream: response.status, body: await response.json() };
});

app.listen({ port, host: process.env.HOST ?? '127.0.0.1' }).then(
  (address) => console.log(`demo service listening on ${address}`),
  (error: Error) => {
    console.error(`demo service could not start: ${error.message}`);
    process.exit(1);
  },
);

const stop = () => void app.close().then(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
