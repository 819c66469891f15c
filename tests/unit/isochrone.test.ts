// The travel-time adapter: a real service's polygon when it answers (asked once per base and time, not on
// every map search), the estimate when it does not. The service is a local HTTP server: the world's edge.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { travelArea } from '#lib/server/map/isochrone.ts';

let server: Server;
let url: string;
let calls = 0;
let failing = false;

beforeAll(async () => {
  server = createServer((req, res) => {
    calls++;
    if (failing) return void res.writeHead(503).end();
    const q = new URL(req.url!, 'http://x').searchParams;
    const [lat, lng] = [Number(q.get('lat')), Number(q.get('lng'))];
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        type: 'Polygon',
        coordinates: [
          [
            [lng, lat],
            [lng + 0.1, lat],
            [lng, lat + 0.1],
            [lng, lat],
          ],
        ],
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/iso`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

it("uses the service's polygon and asks it once per base and travel time", async () => {
  const first = await travelArea(51.45, -2.6, 20, url);
  expect(first).toMatchObject({ estimate: false, minutes: 20 });
  expect(first.ring[0]).toEqual([51.45, -2.6]);
  await travelArea(51.45, -2.6, 20, url);
  expect(calls).toBe(1);
  await travelArea(51.45, -2.6, 30, url);
  expect(calls).toBe(2);
  // An hour later it asks again.
  await travelArea(51.45, -2.6, 20, url, Date.now() + 61 * 60 * 1000);
  expect(calls).toBe(3);
});

it('falls back to the estimate when the service fails, and asks again next time', async () => {
  failing = true;
  const before = calls;
  expect((await travelArea(53.48, -2.24, 20, url)).estimate).toBe(true);
  expect((await travelArea(53.48, -2.24, 20, url)).estimate).toBe(true);
  expect(calls).toBe(before + 2);
  failing = false;
});
