/* eslint-disable @typescript-eslint/no-require-imports -- prom-client's classes are loaded one by one, see below. */
import type * as PromClient from 'prom-client';

// prom-client's index also loads its Pushgateway, and with it node:https and node:tls: some 5 MiB
// resident in every service, for a feature no part of Vigil uses. Its classes live one a file.
export const Registry = require('prom-client/lib/registry') as typeof PromClient.Registry;
export const Counter = require('prom-client/lib/counter') as typeof PromClient.Counter;
export type Counter<T extends string = string> = PromClient.Counter<T>;
export const Gauge = require('prom-client/lib/gauge') as typeof PromClient.Gauge;
export type Gauge<T extends string = string> = PromClient.Gauge<T>;
export const Histogram = require('prom-client/lib/histogram') as typeof PromClient.Histogram;
export type Histogram<T extends string = string> = PromClient.Histogram<T>;
export const collectDefaultMetrics = require('prom-client/lib/defaultMetrics') as typeof PromClient.collectDefaultMetrics;
