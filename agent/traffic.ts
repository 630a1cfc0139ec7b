import type { IncomingHttpHeaders } from 'node:http';

export type Traffic = 'live' | 'shadow';

export const TRAFFIC_HEADER = 'x-vigil-traffic';
export const TRAFFIC_BAGGAGE_KEY = 'vigil.traffic';

/** Shadow when the request carries `x-vigil-traffic: shadow` or the baggage entry `vigil.traffic=shadow`. */
export function trafficFromHeaders(headers: IncomingHttpHeaders | Record<string, unknown>): Traffic {
  if (headers[TRAFFIC_HEADER] === 'shadow') return 'shadow';
  const baggage = headers.baggage;
  return typeof baggage === 'string' && baggageSaysShadow(baggage) ? 'shadow' : 'live';
}

export function baggageSaysShadow(baggage: string): boolean {
  if (!baggage.includes(TRAFFIC_BAGGAGE_KEY)) return false;
  for (const member of baggage.split(',')) {
    const [key, rest] = member.split('=', 2);
    if (key?.trim() === TRAFFIC_BAGGAGE_KEY && rest?.split(';', 1)[0]?.trim() === 'shadow') return true;
  }
  return false;
}
