import type { Envelope } from '../../../src/events/envelope.js';

export const CORRELATION_ID = '0b7c1a9e-3f0e-4a53-9d7e-1b1a6a0c2f11';

/** A valid envelope; override any field. */
export function envelopeFactory(overrides: Partial<Record<keyof Envelope, unknown>> = {}): Record<string, unknown> {
  return {
    createdAt: 1_767_225_600_000,
    correlationId: CORRELATION_ID,
    sequenceNr: 1,
    idempotencyKey: `${CORRELATION_ID}:1`,
    persist: true,
    context: { brand: 'A', orderId: 'o-1' },
    ...overrides,
  };
}

/** A JSON-safe payload of about `bytes` bytes. */
export function payloadOfSize(bytes: number): { blob: string } {
  return { blob: 'x'.repeat(bytes) };
}

/** A deterministic [0, 1) generator (mulberry32) so randomized plans are reproducible. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
