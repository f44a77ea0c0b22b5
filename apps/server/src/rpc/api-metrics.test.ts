import client from 'prom-client';
import { describe, expect, it } from 'vitest';
import { ApiMetrics } from './api-metrics.js';

describe('ApiMetrics', () => {
  it('publishes counts by outcome and a cumulative duration histogram at scrape time', async () => {
    const registry = new client.Registry();
    const metrics = new ApiMetrics();
    metrics.register(registry);
    metrics.record('AmazonSSM.GetParameter', 'Success', 0.0004);
    metrics.record('AmazonSSM.GetParameter', 'Success', 0.0005); // on a bound: counted in that bucket (le)
    metrics.record('AmazonSSM.GetParameter', 'ParameterNotFound', 0.003);
    metrics.record('AmazonSSM.GetParameter', 'Success', 2);
    const text = await registry.metrics();
    expect(text).toContain('tend_api_requests_total{operation="AmazonSSM.GetParameter",outcome="Success"} 3');
    expect(text).toContain('tend_api_requests_total{operation="AmazonSSM.GetParameter",outcome="ParameterNotFound"} 1');
    const bucket = (le: string) => new RegExp(`tend_api_request_duration_seconds_bucket\\{le="${le.replace('+', '\\+')}",operation="AmazonSSM.GetParameter"\\} (\\d+)`).exec(text)?.[1];
    expect([bucket('0.0005'), bucket('0.001'), bucket('0.005'), bucket('1'), bucket('+Inf')]).toEqual(['2', '2', '3', '3', '4']);
    expect(text).toMatch(/tend_api_request_duration_seconds_count\{operation="AmazonSSM.GetParameter"\} 4/);
    expect(text).toMatch(/tend_api_request_duration_seconds_sum\{operation="AmazonSSM.GetParameter"\} 2.0039/);
    // Counting goes on after a scrape.
    metrics.record('AmazonSSM.GetParameter', 'Success', 0.0001);
    expect(await registry.metrics()).toContain('outcome="Success"} 4');
  });
});
